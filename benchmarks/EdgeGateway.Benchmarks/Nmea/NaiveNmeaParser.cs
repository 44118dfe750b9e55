using System.Globalization;
using System.Text;

namespace EdgeGateway.Benchmarks.Nmea;

/// <summary>
/// The obvious way to parse NMEA, as a baseline: a string per line, <c>string.Split</c>, <c>double.Parse</c>.
/// Does the same work as the span reader (checksum, type, position, speed, track, altitude).
/// </summary>
internal static class NaiveNmeaParser
{
    public static int Parse(byte[] capture, out double checksumOfValues)
    {
        var text = Encoding.ASCII.GetString(capture);
        var sentences = 0;
        double sink = 0;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            var start = line.IndexOf('$', StringComparison.Ordinal);
            var star = line.LastIndexOf('*');
            if (start < 0 || star < start)
            {
                continue;
            }

            var body = line.Substring(start + 1, star - start - 1);
            var sum = 0;
            foreach (var c in body)
            {
                sum ^= c;
            }

            if (!int.TryParse(line.AsSpan(star + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var expected) || expected != sum)
            {
                continue;
            }

            var fields = body.Split(',');
            if (fields[0].Length != 5)
            {
                continue;
            }

            sentences++;
            switch (fields[0].Substring(2))
            {
                case "GGA" when fields.Length > 9:
                    sink += Coordinate(fields[2]) + Coordinate(fields[4]) + Number(fields[9]);
                    break;
                case "RMC" when fields.Length > 8:
                    sink += Coordinate(fields[3]) + Coordinate(fields[5]) + Number(fields[7]) + Number(fields[8]);
                    break;
                case "VTG" when fields.Length > 5:
                    sink += Number(fields[1]) + Number(fields[5]);
                    break;
                case "GSA" when fields.Length > 17:
                    sink += Number(fields[15]) + Number(fields[16]) + Number(fields[17]);
                    break;
            }
        }

        checksumOfValues = sink;
        return sentences;
    }

    private static double Number(string field) =>
        double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : 0;

    private static double Coordinate(string field)
    {
        var raw = Number(field);
        var degrees = Math.Floor(raw / 100);
        return degrees + ((raw - (degrees * 100)) / 60);
    }
}
