namespace EdgeGateway.Tests.Devices.Gnss;

/// <summary>Finds the shared gpsd captures: repo root (holds EdgeGateway.sln) / ../shared/testdata/nmea/gpsd.</summary>
internal static class GnssTestData
{
    public static string Gpsd => Directory.Exists(TestData.GpsdCaptures)
        ? TestData.GpsdCaptures
        : throw new DirectoryNotFoundException($"gpsd captures not found at {TestData.GpsdCaptures}");

    public static IEnumerable<string> CaptureNames() =>
        Directory.EnumerateFiles(Gpsd, "*.log").Select(Path.GetFileName).Order(StringComparer.Ordinal)!;

    public static string PathOf(string name) => Path.Combine(Gpsd, name);
}
