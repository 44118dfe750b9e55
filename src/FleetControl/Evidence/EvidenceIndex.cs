using System.Globalization;
using System.Text.Json;
using EdgeGateway.Contracts.V1;

namespace FleetControl.Evidence;

/// <summary>
/// The evidence catalogue's search index, in memory: every item ordered newest recording first, plus
/// one ordered posting set per searchable field (device, camera, officer, category, trigger). A search
/// walks the smallest set that applies, from the time range (and cursor) onwards, checks the other
/// filters on each entry and stops at the page size, so its cost follows the page and the chosen
/// set, not the size of the vault. The receipts in the vault stay the durable truth; the index is
/// rebuilt from them at start-up and updated as items are committed.
/// </summary>
internal sealed class EvidenceIndex
{
    private static readonly Comparer<EvidenceSummary> Order = Comparer<EvidenceSummary>.Create(static (a, b) =>
    {
        var byTime = b.RecordedAt.UtcTicks.CompareTo(a.RecordedAt.UtcTicks);
        return byTime != 0 ? byTime : string.CompareOrdinal(a.EvidenceId, b.EvidenceId);
    });

    private readonly Lock _gate = new();
    private readonly SortedSet<EvidenceSummary> _all = new(Order);
    private readonly Dictionary<string, EvidenceSummary> _byId = new(StringComparer.Ordinal);
    private readonly Field[] _fields =
    [
        new(q => q.DeviceId, s => s.DeviceId),
        new(q => q.CameraSerial, s => s.CameraSerial),
        new(q => q.OfficerId, s => s.OfficerId),
        new(q => q.Category, s => s.Category),
        new(q => q.Trigger, s => s.Trigger),
    ];

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _all.Count;
            }
        }
    }

    /// <summary>Adds or replaces an item.</summary>
    public void Upsert(EvidenceSummary summary)
    {
        lock (_gate)
        {
            if (_byId.Remove(summary.EvidenceId, out var old))
            {
                _all.Remove(old);
                foreach (var f in _fields)
                {
                    f.Remove(old);
                }
            }

            _byId[summary.EvidenceId] = summary;
            _all.Add(summary);
            foreach (var f in _fields)
            {
                f.Add(summary);
            }
        }
    }

    public EvidencePage Search(EvidenceQuery query)
    {
        var limit = Math.Clamp(query.Limit, 1, EvidenceQuery.MaxLimit);
        var filters = _fields.Where(f => !string.IsNullOrEmpty(f.Wanted(query))).ToList();
        var cursor = ParseCursor(query.Cursor);
        lock (_gate)
        {
            // The smallest posting set that applies drives the walk; the others are checked per entry.
            SortedSet<EvidenceSummary> driver = _all;
            foreach (var f in filters)
            {
                var set = f.Set(f.Wanted(query)!);
                if (set is null)
                {
                    return new EvidencePage([], null);
                }

                if (set.Count < driver.Count)
                {
                    driver = set;
                }
            }

            if (driver.Count == 0)
            {
                return new EvidencePage([], null);
            }

            // Newest first: the lower bound is the latest time wanted (or just after the cursor).
            var lower = query.To is { } to ? Probe(to.UtcTicks - 1, string.Empty) : driver.Min!;
            var skipExact = default(EvidenceSummary);
            if (cursor is not null && Order.Compare(cursor, lower) > 0)
            {
                lower = cursor;
                skipExact = cursor;
            }

            var upper = query.From is { } from ? Probe(from.UtcTicks, "\uffff") : driver.Max!;
            if (Order.Compare(lower, upper) > 0)
            {
                return new EvidencePage([], null);
            }

            var items = new List<EvidenceSummary>(limit);
            foreach (var s in driver.GetViewBetween(lower, upper))
            {
                if (skipExact is not null && Order.Compare(s, skipExact) == 0)
                {
                    continue;
                }

                if (!filters.TrueForAll(f => f.Matches(query, s)))
                {
                    continue;
                }

                if (items.Count == limit)
                {
                    var last = items[^1];
                    return new EvidencePage(items, string.Create(CultureInfo.InvariantCulture, $"{last.RecordedAt.UtcTicks}_{last.EvidenceId}"));
                }

                items.Add(s);
            }

            return new EvidencePage(items, null);
        }
    }

    /// <summary>The index entry for a committed record: receipt fields plus the sidecar's officer, category, trigger and start.</summary>
    public static EvidenceSummary Summarise(EvidenceRecord record)
    {
        var item = record.Item;
        string? officer = null, category = null, trigger = null;
        DateTimeOffset? start = null;
        if (!string.IsNullOrEmpty(item.SidecarJson))
        {
            try
            {
                using var doc = JsonDocument.Parse(item.SidecarJson);
                var root = doc.RootElement;
                officer = Text(root, "officerId");
                category = Text(root, "category");
                trigger = Text(root, "trigger");
                if (Text(root, "startUtc") is { } s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
                {
                    start = t;
                }
            }
            catch (JsonException)
            {
                // An invalid sidecar is still stored verbatim; it just adds nothing to the index.
            }
        }

        var recordedAt = start
            ?? (DateTimeOffset.TryParse(item.RecordedAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var r) ? r : (DateTimeOffset?)null)
            ?? DateTimeOffset.Parse(record.Receipt.StoredAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        return new EvidenceSummary(
            item.EvidenceId, item.DeviceId, item.CameraSerial, item.FileName, record.Receipt.Size, record.Receipt.Sha256, item.Critical,
            record.Receipt.StoredAt, recordedAt, officer, category, trigger,
            string.IsNullOrEmpty(item.SidecarStatus) ? "ok" : item.SidecarStatus, record.Receipt.Custody.Count);
    }

    private static string? Text(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static EvidenceSummary Probe(long ticks, string id) =>
        new(id, string.Empty, string.Empty, string.Empty, 0, string.Empty, false, string.Empty, new DateTimeOffset(Math.Clamp(ticks, 0, DateTimeOffset.MaxValue.UtcTicks), TimeSpan.Zero), null, null, null, string.Empty, 0);

    private static EvidenceSummary? ParseCursor(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }

        var split = cursor.IndexOf('_', StringComparison.Ordinal);
        return split > 0 && long.TryParse(cursor.AsSpan(0, split), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            ? Probe(ticks, cursor[(split + 1)..])
            : throw new ArgumentException($"'{cursor}' is not a cursor from this API", nameof(cursor));
    }

    /// <summary>One searchable field: its posting sets (value, case-insensitive, to items in index order).</summary>
    private sealed class Field(Func<EvidenceQuery, string?> wanted, Func<EvidenceSummary, string?> value)
    {
        private readonly Dictionary<string, SortedSet<EvidenceSummary>> _sets = new(StringComparer.OrdinalIgnoreCase);

        public string? Wanted(EvidenceQuery query) => wanted(query);

        public SortedSet<EvidenceSummary>? Set(string key) => _sets.GetValueOrDefault(key);

        public bool Matches(EvidenceQuery query, EvidenceSummary s) => string.Equals(wanted(query), value(s), StringComparison.OrdinalIgnoreCase);

        public void Add(EvidenceSummary s)
        {
            if (value(s) is { Length: > 0 } key)
            {
                if (!_sets.TryGetValue(key, out var set))
                {
                    set = new SortedSet<EvidenceSummary>(Order);
                    _sets[key] = set;
                }

                set.Add(s);
            }
        }

        public void Remove(EvidenceSummary s)
        {
            if (value(s) is { Length: > 0 } key && _sets.TryGetValue(key, out var set))
            {
                set.Remove(s);
            }
        }
    }
}
