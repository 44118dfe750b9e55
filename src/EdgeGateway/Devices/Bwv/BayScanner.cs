using System.Globalization;
using System.Text.Json;
using EdgeGateway.Contracts;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Devices.Bwv;

/// <summary>
/// Reads the bays the way USB mass-storage cameras present them: <c>{BaysRoot}/bay-NN/</c> with a
/// <c>camera.json</c> marker and recordings (<see cref="DockOptions.RecordingExtensions"/>, any case),
/// each normally with a JSON sidecar. Every file a camera holds is accounted for: a recording (with
/// its sidecar's status: ok, missing or invalid) or an <see cref="NotAcceptedFile"/> with the reason.
/// Never throws for a camera that vanishes mid-scan.
/// <para>
/// Cheap when nothing changes: a bay is listed again only when its folder's or marker's modification
/// time moved, when the folder changed too recently for its timestamp to be trusted (coarse FAT
/// times), or every <see cref="DockOptions.FullRescanInterval"/>. Sidecars and fingerprints are
/// cached per file by (size, modification time), so a re-listing reads only what is new.
/// </para>
/// </summary>
internal sealed class BayScanner(IOptions<DockOptions> options, TimeProvider time)
{
    /// <summary>A folder modified this recently is listed again on every check (FAT keeps 2 s times).</summary>
    private static readonly TimeSpan SettleWindow = TimeSpan.FromSeconds(3);

    /// <summary>Folders below a camera's volume deeper than this are reported, not entered.</summary>
    private const int MaxDepth = 8;

    /// <summary>Folders file systems and desktops keep on a volume; reported, never entered.</summary>
    private static readonly HashSet<string> SystemFolders = new(["System Volume Information", "$RECYCLE.BIN", "RECYCLER", "LOST.DIR"], StringComparer.OrdinalIgnoreCase);

    private readonly Dictionary<int, BayState> _bays = [];
    private HashSet<string>? _extensions;

    public static string BayDirectoryName(int bay) => string.Create(CultureInfo.InvariantCulture, $"bay-{bay:D2}");

    /// <summary>How many times a bay was listed (for tests and the scan benchmark).</summary>
    public long Listings { get; private set; }

    /// <summary>Forgets every cached listing, sidecar and fingerprint, so the next <see cref="Scan"/> reads every bay afresh.</summary>
    public void Invalidate()
    {
        foreach (var state in _bays.Values)
        {
            state.Reset();
        }
    }

    public IReadOnlyList<BaySnapshot> Scan()
    {
        var o = options.Value;
        _extensions ??= o.ExtensionSet();
        var now = time.GetUtcNow();
        var bays = new List<BaySnapshot>(o.Bays);
        for (var bay = 1; bay <= o.Bays; bay++)
        {
            var directory = Path.Combine(o.BaysRoot, BayDirectoryName(bay));
            if (!_bays.TryGetValue(bay, out var state))
            {
                state = new BayState();
                _bays[bay] = state;
            }

            bays.Add(ScanBay(bay, directory, state, now, o.FullRescanInterval));
        }

        return bays;
    }

    /// <summary>Lists one bay from scratch with the default extensions (tests, benchmarks).</summary>
    public static BaySnapshot ScanBay(int bay, string directory) =>
        List(bay, directory, ReadMarker(Path.Combine(directory, CameraMarker.FileName)), new DockOptions().ExtensionSet(), new Dictionary<string, CachedFile>(StringComparer.Ordinal), TimeProvider.System.GetUtcNow(), TimeSpan.Zero);

    private BaySnapshot ScanBay(int bay, string directory, BayState state, DateTimeOffset now, TimeSpan fullRescan)
    {
        var marker = new FileInfo(Path.Combine(directory, CameraMarker.FileName));
        if (!marker.Exists)
        {
            state.Reset();
            return new BaySnapshot(bay, null, [], []);
        }

        var markerStamp = (marker.LastWriteTimeUtc, marker.Length);
        if (state.Snapshot is { } cached
            && state.MarkerStamp == markerStamp
            && FoldersSettled(state.Folders, now)
            && cached.Settling.Count == 0
            && now < state.NextFullScan)
        {
            return cached;
        }

        var camera = state.MarkerStamp == markerStamp && state.Snapshot?.Camera is { } known ? known : ReadMarker(marker.FullName);
        if (camera is null)
        {
            state.Reset();
            return new BaySnapshot(bay, null, [], []);
        }

        Listings++;
        state.Folders.Clear();
        var snapshot = List(bay, directory, camera, _extensions!, state.Files, now, options.Value.SettleTime, state.Folders);
        state.Snapshot = snapshot;
        state.MarkerStamp = markerStamp;
        state.NextFullScan = now + fullRescan;
        return snapshot;
    }

    /// <summary>
    /// True when no folder of the last listing changed since (one <c>stat</c> each) and none changed too
    /// recently for its coarse timestamp to be trusted.
    /// </summary>
    private static bool FoldersSettled(List<(string Path, DateTime Time)> folders, DateTimeOffset now)
    {
        foreach (var (path, listed) in folders)
        {
            var current = Directory.GetLastWriteTimeUtc(path);
            if (current != listed || now - new DateTimeOffset(current, TimeSpan.Zero) <= SettleWindow)
            {
                return false;
            }
        }

        return folders.Count > 0;
    }

    private static BaySnapshot List(
        int bay, string directory, CameraMarker? camera, HashSet<string> extensions, Dictionary<string, CachedFile> cache, DateTimeOffset now, TimeSpan settle,
        List<(string Path, DateTime Time)>? folders = null)
    {
        if (camera is null)
        {
            return new BaySnapshot(bay, null, [], []);
        }

        var recordings = new List<DockedRecording>();
        var unaccepted = new List<NotAcceptedFile>();
        var settling = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            ListFolder(new DirectoryInfo(directory), 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Pulled out while listing: report what we have; the next check sees it undocked.
        }

        foreach (var gone in cache.Keys.Where(k => !seen.Contains(k)).ToList())
        {
            cache.Remove(gone);
        }

        return new BaySnapshot(bay, camera, recordings, unaccepted) { Settling = settling };

        void ListFolder(DirectoryInfo folder, int depth)
        {
            folders?.Add((folder.FullName, folder.LastWriteTimeUtc));
            var entries = folder.GetFileSystemInfos();
            var sidecars = new Dictionary<string, FileInfo>(StringComparer.OrdinalIgnoreCase);
            foreach (var entry in entries)
            {
                if (entry is FileInfo f && f.Extension.Equals(".json", StringComparison.OrdinalIgnoreCase) && !IsMarker(f, depth) && !IsHidden(f.Name))
                {
                    sidecars[Path.GetFileNameWithoutExtension(f.Name)] = f;
                }
            }

            var claimed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var entry in entries)
            {
                var name = Path.GetRelativePath(directory, entry.FullName);
                if (entry is DirectoryInfo sub)
                {
                    // Cameras keep recordings in folders (DCIM/100MEDIA/...): those are offloaded like any other.
                    // Hidden and system folders, links and runaway depth are reported, not entered.
                    if (IsHidden(sub.Name) || SystemFolders.Contains(sub.Name))
                    {
                        unaccepted.Add(new NotAcceptedFile(name, "hidden or system folder (not offloaded)", 0));
                    }
                    else if (sub.LinkTarget is not null)
                    {
                        unaccepted.Add(new NotAcceptedFile(name, "link to a folder (not followed)", 0));
                    }
                    else if (depth + 1 > MaxDepth)
                    {
                        unaccepted.Add(new NotAcceptedFile(name, Invariant($"folder nested deeper than {MaxDepth} levels (not offloaded)"), 0));
                    }
                    else
                    {
                        ListFolder(sub, depth + 1);
                    }

                    continue;
                }

                var file = (FileInfo)entry;
                if (IsMarker(file, depth) || !IsHidden(file.Name) && sidecars.ContainsKey(Path.GetFileNameWithoutExtension(file.Name)) && file.Extension.Equals(".json", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                if (IsHidden(file.Name))
                {
                    // Hidden (.DS_Store, ._VID0001.MP4 from a Mac, a camera's .VID0002.MP4 while it is written)
                    // or temporary (~VID0002.MP4): not a finished recording, but never silently ignored.
                    unaccepted.Add(new NotAcceptedFile(name, "hidden or temporary file (not offloaded)", file.Length));
                    continue;
                }

                if (!extensions.Contains(file.Extension))
                {
                    unaccepted.Add(new NotAcceptedFile(name, file.Extension.Length == 0 ? "unknown type (no extension)" : $"unknown type {file.Extension}", file.Length));
                    continue;
                }

                var stem = Path.GetFileNameWithoutExtension(file.Name);
                sidecars.TryGetValue(stem, out var sidecarFile);
                if (sidecarFile is not null)
                {
                    claimed.Add(stem);
                }

                seen.Add(file.FullName);
                var key = (file.Length, file.LastWriteTimeUtc, sidecarFile?.Length ?? -1, sidecarFile?.LastWriteTimeUtc ?? default);
                if (!cache.TryGetValue(file.FullName, out var known) || known.Key != key)
                {
                    known = Read(file, sidecarFile, key, now);
                    cache[file.FullName] = known;
                }

                if (known.Unreadable is { } problem)
                {
                    unaccepted.Add(new NotAcceptedFile(name, "unreadable: " + problem, file.Length));
                    continue;
                }

                // Still being written (or copied onto the camera): its size and time have not stood still for
                // the settle time, by the file's own time or, for a camera clock ahead of ours, by when this
                // dock first saw it so. Taken once it settles; until then the bay is listed on every check.
                var modified = new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero);
                if (settle > TimeSpan.Zero && modified > now - settle && now - known.SeenAt < settle)
                {
                    settling.Add(name);
                    continue;
                }

                recordings.Add(new DockedRecording(
                    bay, directory, camera, file.FullName, file.Length, modified, known.Fingerprint!,
                    sidecarFile?.FullName, known.SidecarStatus, known.Sidecar, known.SidecarJson, known.SidecarProblem));
            }

            foreach (var (stem, sidecar) in sidecars)
            {
                if (!claimed.Contains(stem))
                {
                    unaccepted.Add(new NotAcceptedFile(Path.GetRelativePath(directory, sidecar.FullName), "sidecar without a recording", sidecar.Length));
                }
            }
        }
    }

    private static bool IsMarker(FileInfo file, int depth) => depth == 0 && file.Name.Equals(CameraMarker.FileName, StringComparison.OrdinalIgnoreCase);

    /// <summary>Hidden (leading dot) or temporary (leading tilde) by the conventions cameras and desktops follow.</summary>
    private static bool IsHidden(string name) => name.StartsWith('.') || name.StartsWith('~');

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static CachedFile Read(FileInfo file, FileInfo? sidecarFile, (long, DateTime, long, DateTime) key, DateTimeOffset now)
    {
        string fingerprint;
        try
        {
            fingerprint = RecordingFingerprint.Compute(file.FullName, file.Length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new CachedFile(key, now, null, e.Message, SidecarStatus.Missing, null, null, null);
        }

        if (sidecarFile is null)
        {
            return new CachedFile(key, now, fingerprint, null, SidecarStatus.Missing, null, null, $"no {Path.GetFileNameWithoutExtension(file.Name)}.json beside the recording");
        }

        var json = TryReadText(sidecarFile.FullName, out var readProblem);
        if (json is null)
        {
            return new CachedFile(key, now, fingerprint, null, SidecarStatus.Invalid, null, null, $"{sidecarFile.Name} unreadable: {readProblem ?? "gone while reading"}");
        }

        return TryParseSidecar(json, out var sidecar, out var parseProblem)
            ? new CachedFile(key, now, fingerprint, null, SidecarStatus.Ok, sidecar, json, null)
            : new CachedFile(key, now, fingerprint, null, SidecarStatus.Invalid, null, json, $"{sidecarFile.Name}: {parseProblem}");
    }

    private static CameraMarker? ReadMarker(string path)
    {
        var text = TryReadText(path, out _);
        if (text is null)
        {
            return null;
        }

        try
        {
            var marker = JsonSerializer.Deserialize(text, BwvJson.Options.Info<CameraMarker>());
            return marker is { Serial.Length: > 0 } ? marker : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool TryParseSidecar(string json, out RecordingSidecar sidecar, out string? problem)
    {
        try
        {
            var parsed = JsonSerializer.Deserialize(json, BwvJson.Options.Info<RecordingSidecar>());
            if (parsed is { CameraSerial.Length: > 0 })
            {
                sidecar = parsed;
                problem = null;
                return true;
            }

            problem = "no cameraSerial";
        }
        catch (JsonException e)
        {
            problem = "not a valid sidecar: " + e.Message;
        }

        sidecar = null!;
        return false;
    }

    private static string? TryReadText(string path, out string? problem)
    {
        problem = null;
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = e.Message;
            return null;
        }
    }

    /// <summary>What one file looked like at its (size, time) key, first seen so at <c>SeenAt</c>: fingerprint and sidecar, or why it is unreadable.</summary>
    private sealed record CachedFile(
        (long, DateTime, long, DateTime) Key, DateTimeOffset SeenAt, string? Fingerprint, string? Unreadable, SidecarStatus SidecarStatus,
        RecordingSidecar? Sidecar, string? SidecarJson, string? SidecarProblem);

    /// <summary>The last listing of a bay and what it was taken at.</summary>
    private sealed class BayState
    {
        public BaySnapshot? Snapshot { get; set; }

        public (DateTime, long) MarkerStamp { get; set; }

        /// <summary>Every folder the last listing entered, with its modification time then.</summary>
        public List<(string Path, DateTime Time)> Folders { get; } = [];

        public DateTimeOffset NextFullScan { get; set; }

        public Dictionary<string, CachedFile> Files { get; } = new(StringComparer.Ordinal);

        public void Reset()
        {
            Snapshot = null;
            MarkerStamp = default;
            Folders.Clear();
            Files.Clear();
        }
    }
}
