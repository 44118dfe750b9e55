using System.Buffers;
using EdgeGateway.Devices.Gnss.Nmea;

namespace EdgeGateway.Devices.Gnss;

/// <summary>
/// Decodes a whole capture (bytes of a log file) into fixes: drops '#' comment lines, then runs the same
/// reader and merger the live adapter uses.
/// </summary>
internal static class NmeaCaptureDecoder
{
    public static List<GnssFix> Decode(ReadOnlySpan<byte> capture, NmeaReaderCounters counters)
    {
        var data = StripComments(capture);
        var reader = new NmeaReader(counters);
        var merger = new GnssFixMerger();
        var fixes = new List<GnssFix>();
        var buffer = new ReadOnlySequence<byte>(data);
        while (reader.TryRead(ref buffer, out var sentence))
        {
            if (merger.Accept(sentence, out var fix))
            {
                fixes.Add(fix);
            }
        }

        if (merger.TryFlush(out var last))
        {
            fixes.Add(last);
        }

        return fixes;
    }

    /// <summary>Removes lines starting with '#' and makes sure the last line is terminated.</summary>
    public static byte[] StripComments(ReadOnlySpan<byte> capture)
    {
        var output = new ArrayBufferWriter<byte>(capture.Length + 2);
        while (!capture.IsEmpty)
        {
            var end = capture.IndexOf((byte)'\n');
            var line = end < 0 ? capture : capture[..(end + 1)];
            capture = end < 0 ? [] : capture[(end + 1)..];
            if (line.Length > 0 && line[0] == (byte)'#')
            {
                continue;
            }

            output.Write(line);
            if (end < 0)
            {
                output.Write("\r\n"u8);
            }
        }

        return output.WrittenSpan.ToArray();
    }
}
