using System.Buffers.Binary;

namespace FleetControl.Store;

/// <summary>
/// Answers "is this message id already stored?" without a store lookup for most new ids.
/// Invariant: every stored id greater (ordinal) than <see cref="Watermark"/> is in the in-memory set.
/// So an id above the watermark is stored exactly when the set holds it; an id at or below the
/// watermark is undecided (the caller looks it up). Starts at the largest id in the store with an
/// empty set; ids are added only after their commit is durable. When the set is full, the watermark
/// moves up to its largest id and the set is emptied (the invariant still holds). Message ids are
/// UUIDv7 (time ordered), so a live gateway's new ids, and a backlog newer than the watermark, skip
/// the lookup; older ids fall back to lookups: slower, never wrong. Canonical UUID strings are kept
/// as 16-byte values (~30 bytes per id in the set), anything else as strings. Not thread-safe (the
/// store's lock).
/// </summary>
internal sealed class KnownIdWatermark(string watermark, int capacity)
{
    /// <summary>About 30-60 MB; at 1,000 envelopes/s the set covers the last quarter of an hour or more.</summary>
    public const int DefaultCapacity = 1_000_000;

    private readonly HashSet<UInt128> _uuids = [];
    private readonly HashSet<string> _others = new(StringComparer.Ordinal);
    private string _max = watermark;

    /// <summary>Every stored id above this is in the set.</summary>
    public string Watermark { get; private set; } = watermark;

    /// <summary>Ids held in memory.</summary>
    public int Count => _uuids.Count + _others.Count;

    /// <summary>True: stored. False: certainly not stored. Null: undecided, look it up.</summary>
    public bool? IsKnown(string id)
    {
        if (string.CompareOrdinal(id, Watermark) <= 0)
        {
            return null;
        }

        return TryUuid(id, out var uuid) ? _uuids.Contains(uuid) : _others.Contains(id);
    }

    /// <summary>Records an id whose commit is durable.</summary>
    public void Add(string id)
    {
        if (string.CompareOrdinal(id, Watermark) <= 0)
        {
            return; // at or below the watermark: lookups find it
        }

        if (Count >= capacity)
        {
            Watermark = _max;
            _uuids.Clear();
            _others.Clear();
            if (string.CompareOrdinal(id, Watermark) <= 0)
            {
                return;
            }
        }

        if (TryUuid(id, out var uuid))
        {
            _uuids.Add(uuid);
        }
        else
        {
            _others.Add(id);
        }

        if (string.CompareOrdinal(id, _max) > 0)
        {
            _max = id;
        }
    }

    /// <summary>A lower-case 8-4-4-4-12 UUID string (what Guid.ToString() writes) as its 16 bytes; one string maps to one value.</summary>
    private static bool TryUuid(string id, out UInt128 value)
    {
        value = default;
        if (id.Length != 36 || id.AsSpan().IndexOfAnyInRange('A', 'Z') >= 0 || !Guid.TryParseExact(id, "D", out var guid))
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[16];
        guid.TryWriteBytes(bytes);
        value = BinaryPrimitives.ReadUInt128LittleEndian(bytes);
        return true;
    }
}
