using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Devices.Bwv;

/// <summary>
/// Reads the bays the way USB mass-storage cameras present them: <c>{BaysRoot}/bay-NN/</c> with a
/// <c>camera.json</c> marker and recordings (<c>*.mp4</c>) each with a JSON sidecar. Never throws for
/// a camera that vanishes mid-scan; a recording without a readable sidecar is skipped until it has one.
/// </summary>
internal sealed class BayScanner(IOptions<DockOptions> options)
{
    public static string BayDirectoryName(int bay) => string.Create(CultureInfo.InvariantCulture, $"bay-{bay:D2}");

    public IReadOnlyList<BaySnapshot> Scan()
    {
        var o = options.Value;
        var bays = new List<BaySnapshot>(o.Bays);
        for (var bay = 1; bay <= o.Bays; bay++)
        {
            bays.Add(ScanBay(bay, Path.Combine(o.BaysRoot, BayDirectoryName(bay))));
        }

        return bays;
    }

    public static BaySnapshot ScanBay(int bay, string directory)
    {
        var camera = ReadMarker(Path.Combine(directory, CameraMarker.FileName));
        if (camera is null)
        {
            return new BaySnapshot(bay, null, []);
        }

        var recordings = new List<DockedRecording>();
        try
        {
            foreach (var video in Directory.EnumerateFiles(directory, "*.mp4"))
            {
                var sidecarPath = Path.ChangeExtension(video, ".json");
                var sidecarJson = TryReadText(sidecarPath);
                if (sidecarJson is null || !TryParseSidecar(sidecarJson, out var sidecar))
                {
                    continue;
                }

                var info = new FileInfo(video);
                if (!info.Exists)
                {
                    continue;
                }

                recordings.Add(new DockedRecording(bay, directory, camera, video, sidecarPath, info.Length, sidecar, sidecarJson));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Pulled out while listing: report what we have; the next scan sees it undocked.
        }

        return new BaySnapshot(bay, camera, recordings);
    }

    private static CameraMarker? ReadMarker(string path)
    {
        var text = TryReadText(path);
        if (text is null)
        {
            return null;
        }

        try
        {
            var marker = JsonSerializer.Deserialize<CameraMarker>(text, BwvJson.Options);
            return marker is { Serial.Length: > 0 } ? marker : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool TryParseSidecar(string json, out RecordingSidecar sidecar)
    {
        try
        {
            var parsed = JsonSerializer.Deserialize<RecordingSidecar>(json, BwvJson.Options);
            if (parsed is { CameraSerial.Length: > 0 })
            {
                sidecar = parsed;
                return true;
            }
        }
        catch (JsonException)
        {
        }

        sidecar = null!;
        return false;
    }

    private static string? TryReadText(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
