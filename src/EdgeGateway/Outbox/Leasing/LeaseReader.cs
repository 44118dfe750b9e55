using System.Buffers.Binary;
using EdgeGateway.Core;
using EdgeGateway.Outbox.Policy;
using EdgeGateway.Outbox.Storage;
using LiteDB;

namespace EdgeGateway.Outbox.Leasing;

/// <summary>
/// Picks the next lease batch from the LiteDB queues: the class mix from <see cref="LeaseScheduler"/>,
/// delivery order per class (Telemetry live-first), leased messages skipped, expired ones set aside
/// for deletion instead of being returned.
/// </summary>
/// <remarks>Not thread-safe: runs with the outbox lock held.</remarks>
internal sealed class LeaseReader
{
    private readonly OutboxStore _store;
    private readonly LeaseTable _leases;
    private readonly ScanCursors _cursors;
    private readonly LeaseScheduler _scheduler;
    private readonly EnvelopePolicy _policy;
    private readonly long _leaseTimeoutMs;

    public LeaseReader(OutboxStore store, LeaseTable leases, ScanCursors cursors, EnvelopePolicy policy, TimeSpan leaseTimeout)
    {
        _store = store;
        _leases = leases;
        _cursors = cursors;
        _policy = policy;
        _scheduler = new LeaseScheduler(policy.Classes);
        _leaseTimeoutMs = (long)leaseTimeout.TotalMilliseconds;
    }

    /// <summary>Messages the last <see cref="Lease"/> found failing their checksum (never returned; the caller deletes and counts them).</summary>
    public List<(int Class, BsonDocument Document)> Corrupt { get; } = [];

    /// <summary>
    /// Leases up to <paramref name="maxCount"/> messages. Expired messages met on the way are added
    /// to <paramref name="expired"/> (the caller deletes and counts them); their slots go down the
    /// priority order.
    /// </summary>
    public List<OutboxMessage> Lease(int maxCount, long nowMs, Dictionary<UInt128, (int Class, BsonDocument Document)> expired)
    {
        var result = new List<OutboxMessage>();
        Corrupt.Clear();
        var state = _store.State;
        _leases.ExpireDue(nowMs, (_, lease) => _cursors[lease.ClassIndex] = null);
        var plan = _scheduler.Plan(maxCount, _leases.Available(state.Count));
        for (var c = 0; c < plan.Length; c++)
        {
            if (plan[c] > 0)
            {
                Fetch(c, plan[c], nowMs, result, expired);
            }
        }

        // Slots a class could not use (its messages had expired) go down the priority order.
        for (var c = 0; c < plan.Length && result.Count < maxCount && expired.Count > 0; c++)
        {
            if (state.Count[c] - _leases.LeasedIn(c) - expired.Values.Count(e => e.Class == c) > 0)
            {
                Fetch(c, maxCount - result.Count, nowMs, result, expired);
            }
        }

        return result;
    }

    /// <summary>
    /// Takes up to <paramref name="count"/> unleased messages of one class in delivery order.
    /// Telemetry is "live first": messages stamped within <see cref="OutboxOptions.LiveWindow"/>
    /// (by their UUIDv7 timestamp, which the sink issues at capture) go newest-first, so the map
    /// shows where the vehicle is now as soon as the link returns; older telemetry (the history)
    /// then drains oldest-first behind them, so the track fills in from where the gap began.
    /// The live pass examines a bounded number of messages (see below).
    /// Every other class goes strictly oldest-first.
    /// </summary>
    private void Fetch(int c, int count, long nowMs, List<OutboxMessage> result, Dictionary<UInt128, (int Class, BsonDocument Document)> expired)
    {
        var queue = _store.Queue(c);
        byte[]? boundary = null;
        if (_policy.IsLiveFirst(c))
        {
            boundary = _policy.LiveBoundary(nowMs);

            // The newest live messages are usually the ones in flight, so each scan walks over
            // them again; cap that walk. Live messages below the cap simply wait (at most
            // LiveWindow) until they join the history.
            var examineBudget = (count * 4) + 1024;
            foreach (var document in queue.Find(Query.All(Query.Descending)))
            {
                if (document["_id"].AsBinary.AsSpan().SequenceCompareTo(boundary) < 0 || --examineBudget < 0)
                {
                    break;
                }

                if (TryTake(c, document, nowMs, result, expired) && --count == 0)
                {
                    return;
                }
            }
        }

        var cursor = _cursors[c];
        var source = cursor is null ? queue.Find(Query.All(Query.Ascending)) : queue.Find(Query.GT("_id", cursor));
        foreach (var document in source)
        {
            var id = document["_id"].AsBinary;
            if (boundary is not null && id.AsSpan().SequenceCompareTo(boundary) >= 0)
            {
                break;
            }

            _cursors[c] = id;
            if (TryTake(c, document, nowMs, result, expired) && --count == 0)
            {
                return;
            }
        }
    }

    private bool TryTake(int c, BsonDocument document, long nowMs, List<OutboxMessage> result, Dictionary<UInt128, (int Class, BsonDocument Document)> expired)
    {
        var id = document["_id"].AsBinary;
        var key = BinaryPrimitives.ReadUInt128BigEndian(id);
        if (_leases.Contains(key) || expired.ContainsKey(key))
        {
            return false;
        }

        var expiresMs = document["x"].AsInt64;
        if (EnvelopePolicy.IsExpiredAt(expiresMs, nowMs))
        {
            expired[key] = (c, document);
            return false;
        }

        if (!MessageChecksum.IsIntact(document))
        {
            Corrupt.Add((c, document));
            return false;
        }

        _leases.Add(key, c, nowMs + _leaseTimeoutMs, OutboxStore.SizeOf(document));
        result.Add(new OutboxMessage(
            MonotonicMessageIdGenerator.Format(id),
            OutboxClassDefaults.All[c],
            document["s"].AsString,
            DateTimeOffset.FromUnixTimeMilliseconds(expiresMs),
            document["b"].AsBinary));
        return true;
    }
}
