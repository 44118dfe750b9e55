namespace EdgeGateway.Simulators.Gps;

/// <summary>
/// A recorded NMEA capture prepared for replay: every line kept byte for byte with its own terminator
/// (CRLF or LF), except comment lines starting with <c>#</c> (gpsd's test-log headers), which are skipped.
/// A last line without a terminator gets CRLF so that looping does not glue two sentences together.
/// </summary>
internal sealed class NmeaReplayFile
{
    private NmeaReplayFile(string name, IReadOnlyList<byte[]> lines, string fixSentenceType)
    {
        Name = name;
        Lines = lines;
        FixSentenceType = fixSentenceType;
    }

    /// <summary>File name, for logs.</summary>
    public string Name { get; }

    /// <summary>The lines to replay, terminators included.</summary>
    public IReadOnlyList<byte[]> Lines { get; }

    /// <summary>Sentence type counted as one fix: GGA, or RMC when the capture has no GGA.</summary>
    public string FixSentenceType { get; }

    /// <summary>Reads and prepares a capture.</summary>
    public static NmeaReplayFile Load(string path) => Parse(Path.GetFileName(path), File.ReadAllBytes(path));

    /// <summary>Prepares capture bytes.</summary>
    public static NmeaReplayFile Parse(string name, ReadOnlySpan<byte> content)
    {
        var lines = new List<byte[]>();
        while (!content.IsEmpty)
        {
            var newline = content.IndexOf((byte)'\n');
            ReadOnlySpan<byte> line;
            if (newline < 0)
            {
                line = content;
                content = [];
            }
            else
            {
                line = content[..(newline + 1)];
                content = content[(newline + 1)..];
            }

            if (line[0] == (byte)'#')
            {
                continue;
            }

            lines.Add(newline < 0 ? [.. line, (byte)'\r', (byte)'\n'] : line.ToArray());
        }

        var fixType = lines.Any(l => IsType(l, "GGA"u8)) ? "GGA" : "RMC";
        return new NmeaReplayFile(name, lines, fixType);
    }

    /// <summary>Whether a line is a sentence <c>$ttXXX</c> of the given three-letter type.</summary>
    public static bool IsType(ReadOnlySpan<byte> line, ReadOnlySpan<byte> type) =>
        line.Length >= 6 && line[0] == (byte)'$' && line.Slice(3, 3).SequenceEqual(type);
}
