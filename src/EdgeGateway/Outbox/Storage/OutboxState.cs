using LiteDB;

namespace EdgeGateway.Outbox.Storage;

/// <summary>
/// Everything the outbox must know at start-up without scanning: per-class depth and bytes, the
/// telemetry thinning watermark, the highest message id ever stored (so ids never go backwards
/// after a restart), the last sequence per stream, cumulative drop counters and drops not yet
/// reported. Kept in memory and written as one small document in the same transaction as every
/// change it describes, so it is always consistent with the queues on disk.
/// </summary>
internal sealed class OutboxState
{
    public const string DocumentId = "state";

    public long[] Count { get; } = new long[OutboxClassDefaults.All.Length];

    public long[] Bytes { get; } = new long[OutboxClassDefaults.All.Length];

    /// <summary>Per class: messages with an id at or below this have been thinned once already.</summary>
    public byte[]?[] ThinnedThrough { get; } = new byte[]?[OutboxClassDefaults.All.Length];

    public byte[]? HighWaterId { get; set; }

    public Dictionary<string, ulong> Sequences { get; } = new(StringComparer.Ordinal);

    /// <summary>Cumulative drops keyed by (class index, reason).</summary>
    public Dictionary<(int Class, string Reason), ulong> DropTotals { get; } = [];

    /// <summary>Drops not yet turned into a DataLossReport, keyed by (class index, reason).</summary>
    public Dictionary<(int Class, string Reason), PendingLoss> PendingLosses { get; } = [];

    public ulong AcceptedTotal { get; set; }

    public ulong AcknowledgedTotal { get; set; }

    public void RecordLoss(int classIndex, string reason, ulong count, long? capturedMs, string? stream)
    {
        var key = (classIndex, reason);
        DropTotals[key] = DropTotals.GetValueOrDefault(key) + count;
        if (!PendingLosses.TryGetValue(key, out var pending))
        {
            pending = new PendingLoss();
            PendingLosses[key] = pending;
        }

        pending.Add(count, capturedMs, stream);
    }

    public BsonDocument ToDocument()
    {
        var classes = new BsonArray();
        for (var i = 0; i < Count.Length; i++)
        {
            classes.Add(new BsonDocument
            {
                ["n"] = Count[i],
                ["b"] = Bytes[i],
                ["t"] = ThinnedThrough[i] is { } t ? new BsonValue(t) : BsonValue.Null,
            });
        }

        var sequences = new BsonArray();
        foreach (var (stream, sequence) in Sequences)
        {
            sequences.Add(new BsonDocument { ["s"] = stream, ["n"] = (long)sequence });
        }

        var drops = new BsonArray();
        foreach (var ((cls, reason), count) in DropTotals)
        {
            drops.Add(new BsonDocument { ["c"] = cls, ["r"] = reason, ["n"] = (long)count });
        }

        var pendingLosses = new BsonArray();
        foreach (var ((cls, reason), loss) in PendingLosses)
        {
            pendingLosses.Add(new BsonDocument
            {
                ["c"] = cls,
                ["r"] = reason,
                ["n"] = (long)loss.Count,
                ["f"] = loss.FirstCapturedMs,
                ["l"] = loss.LastCapturedMs,
                ["s"] = loss.Stream is null ? BsonValue.Null : new BsonValue(loss.Stream),
            });
        }

        var document = new BsonDocument
        {
            ["_id"] = DocumentId,
            ["v"] = 1,
            ["classes"] = classes,
            ["hw"] = HighWaterId is null ? BsonValue.Null : new BsonValue(HighWaterId),
            ["seq"] = sequences,
            ["drops"] = drops,
            ["pending"] = pendingLosses,
            ["accepted"] = (long)AcceptedTotal,
            ["acked"] = (long)AcknowledgedTotal,
        };
        document[ChecksumField] = ChecksumOf(document);
        return document;
    }

    /// <summary>
    /// False when <paramref name="document"/> carries a checksum its content no longer matches: a state document
    /// damaged on disk, whose counts a salvage must not believe. One without a checksum (older) is taken as it is.
    /// </summary>
    public static bool IsIntact(BsonDocument document)
    {
        var stored = document[ChecksumField];
        if (stored.IsNull)
        {
            return true;
        }

        var content = new BsonDocument(document.Where(field => field.Key != ChecksumField).ToDictionary(field => field.Key, field => field.Value));
        return stored.IsInt32 && stored.AsInt32 == ChecksumOf(content);
    }

    private const string ChecksumField = "k";

    private static int ChecksumOf(BsonDocument content) =>
        unchecked((int)EdgeGateway.Contracts.Evidence.Crc32C.Compute(BsonSerializer.Serialize(content)));

    public static OutboxState FromDocument(BsonDocument? document)
    {
        var state = new OutboxState();
        if (document is null)
        {
            return state;
        }

        var classes = document["classes"].AsArray;
        for (var i = 0; i < Math.Min(classes.Count, state.Count.Length); i++)
        {
            var item = classes[i].AsDocument;
            state.Count[i] = item["n"].AsInt64;
            state.Bytes[i] = item["b"].AsInt64;
            state.ThinnedThrough[i] = item["t"].IsBinary ? item["t"].AsBinary : null;
        }

        state.HighWaterId = document["hw"].IsBinary ? document["hw"].AsBinary : null;
        foreach (var item in document["seq"].AsArray)
        {
            state.Sequences[item["s"].AsString] = (ulong)item["n"].AsInt64;
        }

        foreach (var item in document["drops"].AsArray)
        {
            state.DropTotals[(item["c"].AsInt32, item["r"].AsString)] = (ulong)item["n"].AsInt64;
        }

        foreach (var item in document["pending"].AsArray)
        {
            state.PendingLosses[(item["c"].AsInt32, item["r"].AsString)] = new PendingLoss
            {
                Count = (ulong)item["n"].AsInt64,
                FirstCapturedMs = item["f"].AsInt64,
                LastCapturedMs = item["l"].AsInt64,
                Stream = item["s"].IsString ? item["s"].AsString : null,
            };
        }

        state.AcceptedTotal = (ulong)document["accepted"].AsInt64;
        state.AcknowledgedTotal = (ulong)document["acked"].AsInt64;
        return state;
    }
}
