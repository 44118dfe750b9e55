using System.Text.Json;
using EdgeGateway.Contracts;
using FleetControl.Hosting;
using Microsoft.Extensions.Options;

namespace FleetControl.Diagnostics;

/// <summary>
/// Bundles on disk: <c>{DataDirectory}/diagnostics/{device}/{id}.zip</c> with a sidecar <c>{id}.json</c>
/// (<see cref="DiagnosticsBundleRecord"/>). A bundle is written to <c>{id}.partial</c>, flushed, and renamed
/// into place after its sidecar, so a listed bundle is always complete.
/// </summary>
internal sealed class DiagnosticsStore(IOptions<FleetControlOptions> fleet, IOptions<DiagnosticsOptions> options)
{
    /// <summary>Folder name under the data directory.</summary>
    public const string FolderName = "diagnostics";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public string Root { get; } = options.Value.Directory is { Length: > 0 } shared
        ? Path.GetFullPath(shared)
        : Path.Combine(Path.GetFullPath(fleet.Value.DataDirectory), FolderName);

    /// <summary>Ids that may name a folder or a file: those a device id may be.</summary>
    public static bool IsValidId(string? id) => Topics.IsValidDeviceId(id);

    public string BundlePath(string deviceId, string bundleId, string format = "zip") => Path.Combine(DeviceFolder(deviceId), $"{bundleId}.{format}");

    public string PartialPath(string deviceId, string bundleId) => Path.Combine(DeviceFolder(deviceId), bundleId + ".partial");

    private string DeviceFolder(string deviceId) => IsValidId(deviceId)
        ? Path.Combine(Root, deviceId)
        : throw new ArgumentException($"'{deviceId}' is not a valid device id", nameof(deviceId));

    private string RecordPath(string deviceId, string bundleId) => Path.Combine(DeviceFolder(deviceId), bundleId + ".json");

    /// <summary>An empty partial file for a new upload (its folder created).</summary>
    public FileStream CreatePartial(string deviceId, string bundleId)
    {
        Directory.CreateDirectory(DeviceFolder(deviceId));
        return new FileStream(PartialPath(deviceId, bundleId), FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous);
    }

    /// <summary>Moves a complete partial into place with its sidecar, then trims the device's oldest bundles.</summary>
    public void Commit(DiagnosticsBundleRecord record)
    {
        var sidecar = RecordPath(record.DeviceId, record.BundleId);
        File.WriteAllText(sidecar + ".tmp", JsonSerializer.Serialize(record, Json));
        File.Move(sidecar + ".tmp", sidecar, overwrite: true);
        File.Move(PartialPath(record.DeviceId, record.BundleId), BundlePath(record.DeviceId, record.BundleId, record.Format), overwrite: true);
        foreach (var old in List(record.DeviceId).Skip(options.Value.KeepPerDevice))
        {
            File.Delete(BundlePath(old.DeviceId, old.BundleId, old.Format));
            File.Delete(RecordPath(old.DeviceId, old.BundleId));
        }
    }

    public void DiscardPartial(string deviceId, string bundleId) => File.Delete(PartialPath(deviceId, bundleId));

    /// <summary>One stored bundle, or null.</summary>
    public DiagnosticsBundleRecord? Find(string deviceId, string bundleId)
    {
        if (!IsValidId(deviceId) || !IsValidId(bundleId))
        {
            return null;
        }

        var sidecar = RecordPath(deviceId, bundleId);
        if (!File.Exists(sidecar))
        {
            return null;
        }

        var record = JsonSerializer.Deserialize<DiagnosticsBundleRecord>(File.ReadAllText(sidecar), Json);
        return record is not null && File.Exists(BundlePath(deviceId, bundleId, record.Format)) ? record : null;
    }

    /// <summary>A device's stored bundles, newest first.</summary>
    public IReadOnlyList<DiagnosticsBundleRecord> List(string deviceId)
    {
        if (!IsValidId(deviceId) || !Directory.Exists(DeviceFolder(deviceId)))
        {
            return [];
        }

        return [.. Directory.EnumerateFiles(DeviceFolder(deviceId), "*.json")
            .Select(f => Find(deviceId, Path.GetFileNameWithoutExtension(f)))
            .OfType<DiagnosticsBundleRecord>()
            .OrderByDescending(r => r.StoredAt)
            .ThenByDescending(r => r.BundleId, StringComparer.Ordinal)];
    }
}
