using System.Globalization;
using EdgeGateway.Simulators.Gps;

namespace EdgeGateway.Simulators.Tests.Gps;

/// <summary>An independent, simple NMEA reader for checking what the writer produced.</summary>
internal static class NmeaTestParser
{
    /// <summary>Checks framing and checksum and returns the fields (field 0 is the address, e.g. GPGGA).</summary>
    public static string[] Fields(string sentence)
    {
        Assert.StartsWith("$", sentence);
        Assert.EndsWith("\r\n", sentence);
        var star = sentence.IndexOf('*', StringComparison.Ordinal);
        Assert.Equal(sentence.Length - 5, star);
        var body = sentence[1..star];
        var expected = 0;
        foreach (var c in body)
        {
            expected ^= c;
        }

        Assert.Equal(expected, int.Parse(sentence.AsSpan(star + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        Assert.Matches("^[0-9A-F]{2}$", sentence.Substring(star + 1, 2));
        return body.Split(',');
    }

    /// <summary>ddmm.mmmm + hemisphere to signed degrees.</summary>
    public static double Degrees(string value, string hemisphere)
    {
        var dot = value.IndexOf('.', StringComparison.Ordinal);
        var degrees = double.Parse(value[..(dot - 2)], CultureInfo.InvariantCulture);
        var minutes = double.Parse(value[(dot - 2)..], CultureInfo.InvariantCulture);
        var result = degrees + (minutes / 60);
        return hemisphere is "S" or "W" ? -result : result;
    }

    public static double Number(string value) => double.Parse(value, CultureInfo.InvariantCulture);

    public static GpsFix SampleFix(DateTimeOffset? time = null, int satellites = 9) => new()
    {
        UtcTime = time ?? new DateTimeOffset(2026, 11, 23, 18, 5, 9, 250, TimeSpan.Zero),
        Latitude = 51.7956,
        Longitude = -0.0788,
        AltitudeMetres = 41.26,
        SpeedMetresPerSecond = 10,
        CourseDegrees = 87.456,
        SatellitesUsed = Enumerable.Range(1, satellites).ToArray(),
        SatellitesInView = Enumerable.Range(1, satellites).Select(i => new SatelliteInView(i, 10 + i, 30 * i, i % 3 == 0 ? 0 : 30 + i)).ToArray(),
        Hdop = 0.9,
        Pdop = 1.53,
        Vdop = 1.26,
    };
}
