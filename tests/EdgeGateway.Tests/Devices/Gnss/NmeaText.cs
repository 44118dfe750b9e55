using System.Globalization;
using System.Text;

namespace EdgeGateway.Tests.Devices.Gnss;

/// <summary>Builds NMEA test sentences with correct checksums.</summary>
internal static class NmeaText
{
    public static string WithChecksum(string body)
    {
        byte sum = 0;
        foreach (var c in body)
        {
            sum ^= (byte)c;
        }

        return $"${body}*{sum:X2}";
    }

    public static string Line(string body) => WithChecksum(body) + "\r\n";

    /// <summary>An RMC + GGA cycle at <paramref name="time"/> at a position north-east of Greenwich.</summary>
    public static string Cycle(DateTimeOffset time, double lat, double lon, string talker = "GP", double knots = 0, double track = 0)
    {
        var hms = time.UtcDateTime.ToString("HHmmss.ff", CultureInfo.InvariantCulture);
        var date = time.UtcDateTime.ToString("ddMMyy", CultureInfo.InvariantCulture);
        var (la, ns) = Coordinate(lat, 2, 'N', 'S');
        var (lo, ew) = Coordinate(lon, 3, 'E', 'W');
        var k = knots.ToString("0.00", CultureInfo.InvariantCulture);
        var t = track.ToString("0.0", CultureInfo.InvariantCulture);
        return Line($"{talker}RMC,{hms},A,{la},{ns},{lo},{ew},{k},{t},{date},,,A")
            + Line($"{talker}GGA,{hms},{la},{ns},{lo},{ew},1,08,0.9,45.4,M,46.9,M,,");
    }

    public static byte[] Bytes(string text) => Encoding.ASCII.GetBytes(text);

    private static (string Value, char Hemisphere) Coordinate(double degrees, int width, char positive, char negative)
    {
        var abs = Math.Abs(degrees);
        var whole = Math.Floor(abs);
        var minutes = (abs - whole) * 60.0;
        var text = whole.ToString(new string('0', width), CultureInfo.InvariantCulture) + minutes.ToString("00.000000", CultureInfo.InvariantCulture);
        return (text, degrees >= 0 ? positive : negative);
    }
}
