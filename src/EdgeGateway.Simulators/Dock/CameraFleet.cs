using System.Globalization;

namespace EdgeGateway.Simulators.Dock;

/// <summary>
/// Makes a deterministic set of cameras and recordings for a dock run, with the faults real cameras
/// show: some recordings with upper-case extensions (<c>.MP4</c>), some whose sidecar is missing or
/// torn (invalid JSON), some in a folder (<c>DCIM/100BWV/</c>), some with spaces and non-ASCII letters in
/// their names, and hidden files left by a desktop (<c>.DS_Store</c>) that the dock reports, not offloads.
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
                var name = string.Create(CultureInfo.InvariantCulture, $"{serial}_{r:D4}.{extension}");
                if (r == 0 && c % 3 == 1)
                {
                    name = "DCIM/100BWV/" + name; // cameras that keep recordings in folders
                }
                else if (r == 1 && c % 3 == 2)
                {
                    name = string.Create(CultureInfo.InvariantCulture, $"{serial} Café Street_{r:D4}.{extension}"); // a name the officer gave it
                }

                recordings.Add(new SimulatedRecording(
                    name,
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

            result.Add(new SimulatedCamera(serial, 40 + (c * 7 % 60), string.Create(CultureInfo.InvariantCulture, $"PC{4000 + c}"), recordings)
            {
                HiddenFiles = c % 3 == 0 ? [".DS_Store"] : [],
            });
        }

        return result;
    }
}
