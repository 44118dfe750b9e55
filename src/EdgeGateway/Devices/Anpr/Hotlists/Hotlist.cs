using EdgeGateway.Contracts.V1;
using Google.Protobuf.WellKnownTypes;

namespace EdgeGateway.Devices.Anpr.Hotlists;

/// <summary>
/// One immutable version of the vehicle's hotlist, laid out for lookups that allocate nothing: entries in
/// a struct array (packed VRM, packed OCR-folded VRM, expiry, shared details) and two open-addressing
/// tables of entry indexes, one keyed by the VRM and one by its folded form (entries with the same folded
/// form are chained). A million entries take about 48 MB. A new version is a new instance, swapped in
/// whole by <see cref="HotlistHolder"/>, so a reader never sees half an update.
/// </summary>
internal sealed class Hotlist
{
    private const int Empty = -1;

    private readonly Record[] _records;
    private readonly HotlistMeta[] _meta;
    private readonly int[] _exact;
    private readonly int[] _folded;
    private readonly int _mask;

    private Hotlist(long version, Record[] records, HotlistMeta[] meta, int rejected)
    {
        Version = version;
        _records = records;
        _meta = meta;
        Rejected = rejected;
        var capacity = 16;
        while (capacity < records.Length * 2)
        {
            capacity <<= 1;
        }

        _mask = capacity - 1;
        _exact = new int[capacity];
        _folded = new int[capacity];
        Array.Fill(_exact, Empty);
        Array.Fill(_folded, Empty);
        for (var i = 0; i < records.Length; i++)
        {
            var slot = VrmKey.Hash(records[i].Key) & _mask;
            while (_exact[slot] != Empty)
            {
                slot = (slot + 1) & _mask;
            }

            _exact[slot] = i;

            // Chain onto an existing entry with the same folded form, else take a slot.
            slot = VrmKey.Hash(records[i].Folded) & _mask;
            while (_folded[slot] != Empty && _records[_folded[slot]].Folded != records[i].Folded)
            {
                slot = (slot + 1) & _mask;
            }

            records[i].NextFolded = _folded[slot];
            _folded[slot] = i;
        }
    }

    /// <summary>The empty list a vehicle holds before its first update (version 0).</summary>
    public static Hotlist Empty0 { get; } = Build(0, []);

    /// <summary>The version FleetControl gave this list (0: none received yet).</summary>
    public long Version { get; }

    /// <summary>Entries in the list.</summary>
    public int Count => _records.Length;

    /// <summary>Entries left out when it was built because their VRM does not normalise (counted, never silently).</summary>
    public int Rejected { get; }

    /// <summary>
    /// Builds a list from entries; a later entry for the same VRM replaces an earlier one. Entries whose VRM
    /// cannot be normalised are counted in <see cref="Rejected"/>.
    /// </summary>
    public static Hotlist Build(long version, IEnumerable<HotlistEntry> entries)
    {
        var byKey = new Dictionary<ulong, int>();
        var records = new List<Record>();
        var meta = new List<HotlistMeta>();
        var metaIndex = new Dictionary<(string, string, string), int>();
        var rejected = 0;
        foreach (var entry in entries)
        {
            if (!VrmKey.TryPack(entry.Vrm, false, out var key) || !VrmKey.TryPack(entry.Vrm, true, out var folded))
            {
                rejected++;
                continue;
            }

            var markers = string.Join('\u001f', entry.Markers);
            if (!metaIndex.TryGetValue((entry.List, entry.Reason, markers), out var m))
            {
                m = meta.Count;
                meta.Add(new HotlistMeta(entry.List, entry.Reason, [.. entry.Markers]));
                metaIndex[(entry.List, entry.Reason, markers)] = m;
            }

            var record = new Record
            {
                Key = key,
                Folded = folded,
                Meta = m,
                ExpiresUnixMs = entry.ExpiresAt is { } expires ? expires.ToDateTimeOffset().ToUnixTimeMilliseconds() : long.MaxValue,
            };
            if (byKey.TryGetValue(key, out var existing))
            {
                records[existing] = record;
            }
            else
            {
                byKey[key] = records.Count;
                records.Add(record);
            }
        }

        return new Hotlist(version, [.. records], [.. meta], rejected);
    }

    /// <summary>
    /// Looks <paramref name="vrm"/> up (normalising on the fly; no allocation). An exact match wins; with
    /// <see cref="FuzzyLevel.Ocr"/> the first unexpired entry whose folded form is the read's is a fuzzy match.
    /// </summary>
    public bool TryMatch(ReadOnlySpan<char> vrm, FuzzyLevel level, long nowUnixMs, out HotlistMatch match)
    {
        match = default;
        if (_records.Length == 0 || !VrmKey.TryPack(vrm, false, out var key))
        {
            return false;
        }

        var slot = VrmKey.Hash(key) & _mask;
        int index;
        while ((index = _exact[slot]) != Empty)
        {
            if (_records[index].Key == key)
            {
                if (_records[index].ExpiresUnixMs > nowUnixMs)
                {
                    match = new HotlistMatch(this, index, Exact: true);
                    return true;
                }

                break;
            }

            slot = (slot + 1) & _mask;
        }

        if (level != FuzzyLevel.Ocr || !VrmKey.TryPack(vrm, true, out var folded))
        {
            return false;
        }

        slot = VrmKey.Hash(folded) & _mask;
        while ((index = _folded[slot]) != Empty)
        {
            if (_records[index].Folded == folded)
            {
                for (; index != Empty; index = _records[index].NextFolded)
                {
                    if (_records[index].Key != key && _records[index].ExpiresUnixMs > nowUnixMs)
                    {
                        match = new HotlistMatch(this, index, Exact: false);
                        return true;
                    }
                }

                return false;
            }

            slot = (slot + 1) & _mask;
        }

        return false;
    }

    /// <summary>A new version: this list with <paramref name="update"/>'s upserts and removals applied.</summary>
    public Hotlist Apply(HotlistUpdate update)
    {
        var removals = new HashSet<ulong>();
        foreach (var vrm in update.Removals)
        {
            if (VrmKey.TryPack(vrm, false, out var key))
            {
                removals.Add(key);
            }
        }

        foreach (var entry in update.Upserts)
        {
            if (VrmKey.TryPack(entry.Vrm, false, out var key))
            {
                removals.Add(key); // the upsert below replaces it
            }
        }

        var kept = Entries().Where(e => !VrmKey.TryPack(e.Vrm, false, out var key) || !removals.Contains(key));
        return Build(update.Version, kept.Concat(update.Upserts));
    }

    /// <summary>Every entry, as the wire type (for saving the list and rebuilding it).</summary>
    public IEnumerable<HotlistEntry> Entries()
    {
        for (var i = 0; i < _records.Length; i++)
        {
            var meta = _meta[_records[i].Meta];
            var entry = new HotlistEntry { Vrm = VrmKey.Unpack(_records[i].Key), List = meta.List, Reason = meta.Reason };
            entry.Markers.AddRange(meta.Markers);
            if (_records[i].ExpiresUnixMs != long.MaxValue)
            {
                entry.ExpiresAt = Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(_records[i].ExpiresUnixMs));
            }

            yield return entry;
        }
    }

    internal string VrmAt(int index) => VrmKey.Unpack(_records[index].Key);

    internal HotlistMeta MetaAt(int index) => _meta[_records[index].Meta];

    private struct Record
    {
        public ulong Key;
        public ulong Folded;
        public long ExpiresUnixMs;
        public int Meta;
        public int NextFolded;
    }
}
