namespace EdgeGateway.Tests.Devices.Gnss;

/// <summary>Finds the shared gpsd captures: repo root (holds EdgeGateway.sln) / ../shared/testdata/nmea/gpsd.</summary>
internal static class GnssTestData
{
    private static readonly Lazy<string> GpsdDirectory = new(FindGpsdDirectory);

    public static string Gpsd => GpsdDirectory.Value;

    public static IEnumerable<string> CaptureNames() =>
        Directory.EnumerateFiles(Gpsd, "*.log").Select(Path.GetFileName).Order(StringComparer.Ordinal)!;

    public static string PathOf(string name) => Path.Combine(Gpsd, name);

    private static string FindGpsdDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EdgeGateway.sln")))
            {
                var gpsd = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "testdata", "nmea", "gpsd"));
                return Directory.Exists(gpsd) ? gpsd : throw new DirectoryNotFoundException($"gpsd captures not found at {gpsd}");
            }
        }

        throw new DirectoryNotFoundException("EdgeGateway.sln not found above " + AppContext.BaseDirectory);
    }
}
