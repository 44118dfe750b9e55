using EdgeGateway.Contracts.V1;
using Google.Protobuf;

namespace EdgeGateway.Devices.Anpr.Hotlists;

/// <summary>
/// The vehicle's current hotlist, kept on disk (<c>{folder}/hotlist.pb</c>) and in memory. A new version is
/// written to a temporary file, flushed, renamed over the old one, and only then swapped in memory with one
/// reference write: matching never waits, never sees half an update, and after a power cut the vehicle holds
/// either the old version or the new one. Snapshot parts wait in <c>{folder}/hotlist-parts/</c> until all
/// have come.
/// </summary>
internal sealed class HotlistHolder
{
    /// <summary>File name of the saved list.</summary>
    public const string FileName = "hotlist.pb";

    private readonly string _folder;
    private readonly string _partsFolder;
    private readonly Lock _writeLock = new();
    private Hotlist _current = Hotlist.Empty0;

    public HotlistHolder(string folder)
    {
        _folder = folder;
        _partsFolder = Path.Combine(folder, "hotlist-parts");
    }

    /// <summary>The list matching uses now.</summary>
    public Hotlist Current => Volatile.Read(ref _current);

    /// <summary>Raised after a new version is in place.</summary>
    public event Action<Hotlist>? Swapped;

    /// <summary>Loads the saved list, if any (a damaged file is moved aside and the vehicle starts from version 0, asking for a snapshot).</summary>
    public Hotlist Load()
    {
        var path = Path.Combine(_folder, FileName);
        if (!File.Exists(path))
        {
            return Current;
        }

        try
        {
            var saved = HotlistUpdate.Parser.ParseFrom(File.ReadAllBytes(path));
            Volatile.Write(ref _current, Hotlist.Build(saved.Version, saved.Upserts));
        }
        catch (InvalidProtocolBufferException)
        {
            File.Move(path, path + ".damaged", overwrite: true);
        }

        return Current;
    }

    /// <summary>
    /// Applies an update from FleetControl. Returns the outcome: applied (the new version is saved and in use),
    /// already held, waiting for more snapshot parts, or a gap (a delta whose base is not the version held).
    /// </summary>
    public HotlistApplyOutcome Apply(HotlistUpdate update)
    {
        lock (_writeLock)
        {
            var current = Current;
            if (update.Version <= current.Version && update.BaseVersion != 0)
            {
                return HotlistApplyOutcome.AlreadyHeld;
            }

            Hotlist next;
            if (update.BaseVersion == 0)
            {
                if (update.Version == current.Version && current.Version != 0)
                {
                    return HotlistApplyOutcome.AlreadyHeld;
                }

                if (update.Parts > 1)
                {
                    var parts = StorePart(update);
                    if (parts is null)
                    {
                        return HotlistApplyOutcome.WaitingForParts;
                    }

                    next = Hotlist.Build(update.Version, parts.SelectMany(p => p.Upserts));
                }
                else
                {
                    next = Hotlist.Build(update.Version, update.Upserts);
                }
            }
            else if (update.BaseVersion != current.Version)
            {
                return HotlistApplyOutcome.Gap;
            }
            else
            {
                next = current.Apply(update);
            }

            Save(next);
            Volatile.Write(ref _current, next);
            if (Directory.Exists(_partsFolder))
            {
                Directory.Delete(_partsFolder, recursive: true);
            }

            Swapped?.Invoke(next);
            return HotlistApplyOutcome.Applied;
        }
    }

    /// <summary>Keeps one part on disk; returns every part once all of its version are there.</summary>
    private List<HotlistUpdate>? StorePart(HotlistUpdate part)
    {
        Directory.CreateDirectory(_partsFolder);
        foreach (var stale in Directory.EnumerateFiles(_partsFolder).Where(f => !Path.GetFileName(f).StartsWith($"{part.Version}-", StringComparison.Ordinal)))
        {
            File.Delete(stale); // a part of an older snapshot that never completed
        }

        WriteDurably(Path.Combine(_partsFolder, $"{part.Version}-{part.Part}.pb"), part.ToByteArray());
        var parts = new List<HotlistUpdate>();
        for (var i = 1u; i <= part.Parts; i++)
        {
            var path = Path.Combine(_partsFolder, $"{part.Version}-{i}.pb");
            if (!File.Exists(path))
            {
                return null;
            }

            parts.Add(HotlistUpdate.Parser.ParseFrom(File.ReadAllBytes(path)));
        }

        return parts;
    }

    private void Save(Hotlist list)
    {
        Directory.CreateDirectory(_folder);
        var snapshot = new HotlistUpdate { Version = list.Version, Part = 1, Parts = 1 };
        snapshot.Upserts.AddRange(list.Entries());
        WriteDurably(Path.Combine(_folder, FileName), snapshot.ToByteArray());
    }

    /// <summary>Temporary file, flush to disk, rename over the target.</summary>
    private static void WriteDurably(string path, byte[] bytes)
    {
        var temporary = path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(bytes);
            file.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
