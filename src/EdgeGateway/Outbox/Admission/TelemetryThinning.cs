using System.Buffers.Binary;
using EdgeGateway.Outbox.Leasing;
using EdgeGateway.Outbox.Policy;
using EdgeGateway.Outbox.Storage;
using LiteDB;

namespace EdgeGateway.Outbox.Admission;

/// <summary>
/// Makes room in a Telemetry class at its quota: first THIN the oldest not-yet-thinned history,
/// then EVICT oldest-first. Leased (in-flight) messages are never touched.
/// </summary>
/// <remarks>Not thread-safe: runs inside the enqueue transaction with the outbox lock held.</remarks>
internal sealed class TelemetryThinning
{
    private readonly OutboxStore _store;
    private readonly LeaseTable _leases;
    private readonly EnvelopePolicy _policy;
    private readonly int _stretch;

    public TelemetryThinning(OutboxStore store, LeaseTable leases, EnvelopePolicy policy, int stretch)
    {
        _store = store;
        _leases = leases;
        _policy = policy;
        _stretch = stretch;
    }

    /// <summary>
    /// Frees the shortfall plus 5% of the quota (so this does not run on every message). Thinning
    /// walks the history (older than the live window) in stretches and drops every other message,
    /// halving its density while keeping its time coverage; the watermark makes each stretch thin
    /// only once. Only when no history is left to thin does it evict oldest-first.
    /// </summary>
    public void MakeRoom(int classIndex, long needed, long nowMs, ref int thinned, ref int evicted)
    {
        var c = classIndex;
        var state = _store.State;
        var quota = _policy.Classes[c].QuotaBytes;
        var target = state.Bytes[c] - _leases.AcknowledgedBytes(c) + needed - quota + (quota / 20);
        var freed = 0L;
        var boundary = _policy.LiveBoundary(nowMs);
        var queue = _store.Queue(c);
        while (freed < target)
        {
            var from = state.ThinnedThrough[c];
            var source = from is null ? queue.Find(Query.All(Query.Ascending)) : queue.Find(Query.GT("_id", from));
            var stretch = new List<BsonDocument>();
            foreach (var document in source)
            {
                var id = document["_id"].AsBinary;
                if (id.AsSpan().SequenceCompareTo(boundary) >= 0)
                {
                    break;
                }

                if (!_leases.Contains(BinaryPrimitives.ReadUInt128BigEndian(id)))
                {
                    stretch.Add(document);
                    if (stretch.Count == _stretch)
                    {
                        break;
                    }
                }
            }

            if (stretch.Count < 2)
            {
                break;
            }

            for (var i = 1; i < stretch.Count; i += 2)
            {
                var bytes = _store.DeleteCounted(c, stretch[i], "thinned");
                freed += bytes;
                thinned += bytes > 0 ? 1 : 0;
            }

            state.ThinnedThrough[c] = stretch[^1]["_id"].AsBinary;
        }

        while (freed < target)
        {
            var victims = queue.Find(Query.All(Query.Ascending))
                .Where(d => !_leases.Contains(BinaryPrimitives.ReadUInt128BigEndian(d["_id"].AsBinary)))
                .Take(256)
                .ToList();
            if (victims.Count == 0)
            {
                break;
            }

            var before = freed;
            foreach (var victim in victims)
            {
                var bytes = _store.DeleteCounted(c, victim, "evicted");
                freed += bytes;
                evicted += bytes > 0 ? 1 : 0;
                if (freed >= target)
                {
                    break;
                }
            }

            if (freed == before)
            {
                break; // nothing could be deleted: refuse rather than spin
            }
        }
    }
}
