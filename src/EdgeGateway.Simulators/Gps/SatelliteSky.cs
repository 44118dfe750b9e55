namespace EdgeGateway.Simulators.Gps;

/// <summary>
/// A plausible, deterministic GPS sky: eleven satellites whose azimuth and elevation drift slowly with time
/// (a GPS orbit takes about 12 hours), SNR rising with elevation, those above 10° used in the fix.
/// </summary>
internal static class SatelliteSky
{
    private static readonly (int Prn, double Azimuth, double Elevation, double Phase)[] Orbits =
    [
        (2, 40, 55, 0.1), (5, 95, 30, 1.3), (7, 150, 68, 2.2), (9, 210, 22, 0.7),
        (13, 265, 45, 3.1), (15, 310, 12, 4.0), (18, 20, 8, 5.2), (20, 120, 75, 1.9),
        (24, 180, 38, 2.8), (27, 240, 5, 3.7), (30, 330, 60, 4.6),
    ];

    /// <summary>The satellites in view at <paramref name="utc"/>, sorted by PRN.</summary>
    public static IReadOnlyList<SatelliteInView> InView(DateTimeOffset utc)
    {
        var hours = utc.ToUnixTimeMilliseconds() / 3_600_000.0;
        var result = new List<SatelliteInView>(Orbits.Length);
        foreach (var (prn, azimuth, elevation, phase) in Orbits)
        {
            var angle = (hours / 12 * 2 * Math.PI) + phase;
            var el = (int)Math.Round(Math.Clamp(elevation + (20 * Math.Sin(angle)), 0, 89));
            var az = (int)Math.Round(((azimuth + (hours * 15) + 360) % 360 + 360) % 360) % 360;
            var snr = el < 3 ? 0 : (int)Math.Round(Math.Min(50, 22 + (el * 0.3) + (prn % 5)));
            result.Add(new SatelliteInView(prn, el, az, snr));
        }

        return result;
    }

    /// <summary>PRNs used in the fix: tracked and at least 10° up, at most 12.</summary>
    public static IReadOnlyList<int> Used(IReadOnlyList<SatelliteInView> inView) =>
        inView.Where(s => s.SnrDbHz > 0 && s.ElevationDegrees >= 10).Select(s => s.Prn).Take(12).ToArray();

    /// <summary>A horizontal DOP for <paramref name="usedCount"/> satellites (fewer satellites, worse geometry).</summary>
    public static double Hdop(int usedCount) => usedCount <= 0 ? 99.99 : Math.Round(0.6 + (12.0 / (usedCount * usedCount)), 2);
}
