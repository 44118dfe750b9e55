using System.Globalization;
using System.Text.Json;

namespace EdgeGateway.Simulators.Dock;

/// <summary>
/// A BWV docking station's bays as the gateway sees them: <c>{root}/bay-NN/</c> holding a docked
/// camera's recordings with their JSON sidecars and, written last, the <c>camera.json</c> marker.
/// Undocking removes the marker; pulling a camera out mid-transfer moves the whole volume away at
/// once. Undocked cameras keep their files under <c>{root}/.undocked/</c> so they can be re-docked.
/// </summary>
internal sealed class DockSimulator(string root)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public string Root { get; } = root;

    public static string BayName(int bay) => string.Create(CultureInfo.InvariantCulture, $"bay-{bay:D2}");

    public string BayDirectory(int bay) => Path.Combine(Root, BayName(bay));

    public string MarkerPath(int bay) => Path.Combine(BayDirectory(bay), "camera.json");

    private string ParkedDirectory(int bay) => Path.Combine(Root, ".undocked", BayName(bay));

    public bool IsDocked(int bay) => File.Exists(MarkerPath(bay));

    /// <summary>
    /// Builds the camera's volume aside, then moves it into the bay and writes the marker (docked).
    /// A later <paramref name="generation"/> of the same camera writes different bytes under the same
    /// names, as a camera wiped by the dock and numbering its files from 1 again does.
    /// </summary>
    public async Task DockAsync(int bay, SimulatedCamera camera, string seedClip, CancellationToken cancellationToken, int generation = 0)
    {
        var building = Path.Combine(Root, ".building", BayName(bay));
        if (Directory.Exists(building))
        {
            Directory.Delete(building, recursive: true);
        }

        Directory.CreateDirectory(building);
        var seed = StableSeed(camera.Serial) + (generation * 7919);
        foreach (var recording in camera.Recordings)
        {
            var path = Path.Combine(building, recording.FileName);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await ClipFactory.WriteRecordingAsync(seedClip, path, recording.Size, seed++, cancellationToken).ConfigureAwait(false);
            await WriteSidecarAsync(building, camera, recording, cancellationToken).ConfigureAwait(false);
        }

        foreach (var hidden in camera.HiddenFiles)
        {
            var path = Path.Combine(building, hidden);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllBytesAsync(path, new byte[4096], cancellationToken).ConfigureAwait(false);
        }

        var target = BayDirectory(bay);
        if (Directory.Exists(target))
        {
            Directory.Delete(target, recursive: true);
        }

        Directory.Move(building, target);
        await WriteMarkerAsync(bay, camera.Serial, camera.BatteryPercent, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A docked camera records again: writes <paramref name="recording"/> into the bay (a reused name
    /// after a wipe, as a camera that numbers from 1 again does), sidecar first, then the recording.
    /// </summary>
    public async Task AddRecordingAsync(int bay, SimulatedCamera camera, SimulatedRecording recording, string seedClip, int uniqueSeed, CancellationToken cancellationToken)
    {
        var directory = BayDirectory(bay);
        await WriteSidecarAsync(directory, camera, recording, cancellationToken).ConfigureAwait(false);
        var temp = Path.Combine(Root, ".building", BayName(bay) + "-" + recording.FileName);
        Directory.CreateDirectory(Path.GetDirectoryName(temp)!);
        await ClipFactory.WriteRecordingAsync(seedClip, temp, recording.Size, uniqueSeed, cancellationToken).ConfigureAwait(false);
        File.Move(temp, Path.Combine(directory, recording.FileName), overwrite: true);
    }

    private static async Task WriteSidecarAsync(string directory, SimulatedCamera camera, SimulatedRecording recording, CancellationToken cancellationToken)
    {
        var path = Path.ChangeExtension(Path.Combine(directory, recording.FileName), ".json");
        if (recording.Sidecar == SimulatedSidecar.Missing)
        {
            File.Delete(path);
            return;
        }

        var sidecar = new
        {
            cameraSerial = camera.Serial,
            officerId = camera.OfficerId,
            startUtc = recording.Start,
            endUtc = recording.Start + recording.Duration,
            trigger = recording.Trigger,
            category = recording.Category,
            gps = Track(recording),
        };
        var json = JsonSerializer.Serialize(sidecar, Json);
        if (recording.Sidecar == SimulatedSidecar.Invalid)
        {
            json = json[..(json.Length / 2)]; // torn mid-write
        }

        await File.WriteAllTextAsync(path, json, cancellationToken).ConfigureAwait(false);
    }

    public Task WriteMarkerAsync(int bay, string serial, int batteryPercent, CancellationToken cancellationToken) =>
        File.WriteAllTextAsync(MarkerPath(bay), JsonSerializer.Serialize(new { serial, batteryPercent }, Json), cancellationToken);

    /// <summary>Orderly undock: the marker goes first, then the volume is parked for a later re-dock.</summary>
    public void Undock(int bay)
    {
        var marker = File.Exists(MarkerPath(bay)) ? File.ReadAllText(MarkerPath(bay)) : null;
        File.Delete(MarkerPath(bay));
        Park(bay);
        if (marker is not null && Directory.Exists(ParkedDirectory(bay)))
        {
            File.WriteAllText(Path.Combine(ParkedDirectory(bay), "camera.json"), marker); // for a re-dock
        }
    }

    /// <summary>Camera yanked out mid-transfer: the whole volume vanishes at once.</summary>
    public void Pull(int bay) => Park(bay);

    /// <summary>Puts a parked camera back in its bay (same files, same serial, marker included).</summary>
    public void Redock(int bay)
    {
        var parked = ParkedDirectory(bay);
        if (!Directory.Exists(parked))
        {
            throw new InvalidOperationException($"no camera parked from bay {bay}");
        }

        Directory.Move(parked, BayDirectory(bay));
    }

    /// <summary>
    /// The recordings a bay's camera holds, in its folders too: every file but sidecars (<c>*.json</c>), the
    /// marker and hidden files (<c>.DS_Store</c>, which the dock reports and leaves).
    /// </summary>
    public IReadOnlyList<string> Recordings(int bay) =>
        Directory.Exists(BayDirectory(bay))
            ? Directory.GetFiles(BayDirectory(bay), "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
                .Where(f => !f.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && !Path.GetFileName(f).StartsWith('.'))
                .Order(StringComparer.Ordinal).ToList()
            : [];

    private void Park(int bay)
    {
        var parked = ParkedDirectory(bay);
        Directory.CreateDirectory(Path.GetDirectoryName(parked)!);
        if (Directory.Exists(parked))
        {
            Directory.Delete(parked, recursive: true);
        }

        if (Directory.Exists(BayDirectory(bay)))
        {
            Directory.Move(BayDirectory(bay), parked);
        }
    }

    private static int StableSeed(string text)
    {
        var h = 2166136261u; // FNV-1a: the same camera gives the same bytes in every run
        foreach (var c in text)
        {
            h = (h ^ c) * 16777619u;
        }

        return (int)(h & 0x3FFFFFFF);
    }

    private static object[] Track(SimulatedRecording recording)
    {
        // A short walk around Hendon, one point every 10 s.
        var points = Math.Max(2, (int)(recording.Duration.TotalSeconds / 10));
        var track = new object[points];
        for (var i = 0; i < points; i++)
        {
            track[i] = new
            {
                time = recording.Start + (recording.Duration * i / (points - 1)),
                lat = 51.5866 + (i * 0.00005),
                lon = -0.2300 + (i * 0.00007),
            };
        }

        return track;
    }
}
