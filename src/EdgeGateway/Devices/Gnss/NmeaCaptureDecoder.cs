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
        var merger = new GnssFixMerger(TryReadHeaderDate(capture, out var date) ? date : null);
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

    /// <summary>
    /// The capture date from a <c># Date: yyyy-mm-dd</c> comment (gpsd's convention), which stands in for
    /// the host clock when correcting GPS week-rollover dates.
    /// </summary>
    public static bool TryReadHeaderDate(ReadOnlySpan<byte> capture, out DateOnly date)
    {
        date = default;
        var prefix = "# Date:"u8;
        while (!capture.IsEmpty)
        {
            var end = capture.IndexOf((byte)'\n');
            var line = end < 0 ? capture : capture[..end];
            capture = end < 0 ? [] : capture[(end + 1)..];
            if (!line.StartsWith(prefix))
            {
                continue;
            }

            var text = line[prefix.Length..].Trim(" \t\r"u8);
            return text.Length >= 10 && text[4] == (byte)'-' && text[7] == (byte)'-'
                && NmeaField.TryParseInt(text[..4], out var year)
                && NmeaField.TryParseInt(text[5..7], out var month)
                && NmeaField.TryParseInt(text[8..10], out var day)
                && NmeaField.TryMakeDate(year, month, day, out date);
        }

        return false;
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
