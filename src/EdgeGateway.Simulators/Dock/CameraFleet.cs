using System.Globalization;

namespace EdgeGateway.Simulators.Dock;

/// <summary>
/// Makes a deterministic set of cameras and recordings for a dock run, with the faults real cameras
/// show: some recordings with upper-case extensions (<c>.MP4</c>), some whose sidecar is missing or
/// torn (invalid JSON).
/// </summary>
internal static class CameraFleet
{
    /// <param name="cameras">How many cameras.</param>
    /// <param name="recordingsPerCamera">Short clips per camera.</param>
    /// <param name="clipSeconds">Length of each clip.</param>
    /// <param name="bigFileSize">When &gt; 0, the first camera of every <paramref name="bigEvery"/> also carries one recording of this size.</param>
    /// <param name="bigEvery">See <paramref name="bigFileSize"/>.</param>
    /// <param name="criticalEvery">Every Nth recording is flagged critical (category use-of-force); 0 = none.</param>
    /// <param name="firstStart">Start time of the first recording.</param>
    public static IReadOnlyList<SimulatedCamera> Create(
        int cameras, int recordingsPerCamera, int clipSeconds, long bigFileSize, int bigEvery, int criticalEvery, DateTimeOffset firstStart)
    {
        var result = new List<SimulatedCamera>(cameras);
        var n = 0;
        for (var c = 0; c < cameras; c++)
        {
            var serial = string.Create(CultureInfo.InvariantCulture, $"BWV{100000 + c}");
            var recordings = new List<SimulatedRecording>();
            for (var r = 0; r < recordingsPerCamera; r++)
            {
                n++;
                var critical = criticalEvery > 0 && n % criticalEvery == 0;
                var extension = r == 1 && c % 2 == 0 ? "MP4" : "mp4";
                var sidecar = r == 2 && c % 3 == 1 ? SimulatedSidecar.Missing : r == 0 && c % 4 == 2 ? SimulatedSidecar.Invalid : SimulatedSidecar.Valid;
                recordings.Add(new SimulatedRecording(
                    string.Create(CultureInfo.InvariantCulture, $"{serial}_{r:D4}.{extension}"),
                    0,
                    critical ? "emergency" : "manual",
                    critical ? "use-of-force" : null,
                    firstStart.AddMinutes(n * 7),
                    TimeSpan.FromSeconds(clipSeconds),
                    sidecar));
            }

            if (bigFileSize > 0 && bigEvery > 0 && c % bigEvery == 0)
            {
                recordings.Add(new SimulatedRecording(
                    string.Create(CultureInfo.InvariantCulture, $"{serial}_LONG.mp4"),
                    bigFileSize, "manual", null, firstStart.AddMinutes(-60), TimeSpan.FromMinutes(45)));
            }

            result.Add(new SimulatedCamera(serial, 40 + (c * 7 % 60), string.Create(CultureInfo.InvariantCulture, $"PC{4000 + c}"), recordings));
        }

        return result;
    }
}
