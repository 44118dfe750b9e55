namespace FleetControl.Store;

/// <summary>
/// Answers "is this message id already stored?" without a store lookup for most new ids.
/// Invariant: every stored id greater (ordinal) than <see cref="Watermark"/> is in the in-memory set.
/// So an id above the watermark is stored exactly when the set holds it; an id at or below the
/// watermark is undecided (the caller looks it up). Starts at the largest id in the store with an
/// empty set; ids are added only after their commit is durable. When the set is full, the watermark
/// moves up to its largest id and the set is emptied (the invariant still holds). Message ids are
/// UUIDv7 (time ordered), so a live gateway's new ids are above the watermark; a backlog older than
/// ids stored since falls back to lookups: slower, never wrong. Not thread-safe (the store's lock).
/// </summary>
internal sealed class KnownIdWatermark(string watermark, int capacity)
{
    /// <summary>About 30 MB of ids.</summary>
    public const int DefaultCapacity = 250_000;

    private readonly HashSet<string> _recent = new(StringComparer.Ordinal);
    private string _max = watermark;

    /// <summary>Every stored id above this is in the set.</summary>
    public string Watermark { get; private set; } = watermark;

    /// <summary>True: stored. False: certainly not stored. Null: undecided, look it up.</summary>
    public bool? IsKnown(string id)
    {
        if (_recent.Contains(id))
        {
            return true;
        }

        return string.CompareOrdinal(id, Watermark) > 0 ? false : null;
    }

    /// <summary>Records an id whose commit is durable.</summary>
    public void Add(string id)
    {
        if (string.CompareOrdinal(id, Watermark) <= 0)
        {
            return; // at or below the watermark: lookups find it
        }

        if (_recent.Count >= capacity)
        {
            Watermark = _max;
            _recent.Clear();
            if (string.CompareOrdinal(id, Watermark) <= 0)
            {
                return;
            }
        }

        _recent.Add(id);
        if (string.CompareOrdinal(id, _max) > 0)
        {
            _max = id;
        }
    }
}
