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

    // Built once: LiteDB parses and compiles every new expression to a delegate (measured in a drain
    // profile: as much time as the reads themselves); the bound id is a parameter set per scan.
    private readonly Query _ascending = Query.All(Query.Ascending);
    private readonly Query _descending = Query.All(Query.Descending);
    private readonly BsonExpression _afterId = BsonExpression.Create("_id > @0", BsonValue.Null);
    private readonly Query _descendingAbove = Query.All(Query.Descending);
    private readonly Query _descendingBelow = Query.All(Query.Descending);

    private readonly PayloadProtector _protector;

    public LeaseReader(OutboxStore store, LeaseTable leases, ScanCursors cursors, EnvelopePolicy policy, TimeSpan leaseTimeout, PayloadProtector protector)
    {
        _protector = protector;
        _store = store;
        _leases = leases;
        _cursors = cursors;
        _policy = policy;
        _scheduler = new LeaseScheduler(policy.Classes);
        _leaseTimeoutMs = (long)leaseTimeout.TotalMilliseconds;
        _descendingAbove.Where.Add(BsonExpression.Create("_id > @0", BsonValue.Null));
        _descendingBelow.Where.Add(BsonExpression.Create("_id < @0", BsonValue.Null));
    }

    /// <summary>Documents the lease scans have read so far (a test counts it: a lease must not re-read what is in flight).</summary>
    public long DocumentsRead { get; private set; }

    /// <summary>Messages the last <see cref="Lease"/> found failing their checksum (never returned; the caller deletes and counts them).</summary>
    public Dictionary<UInt128, (int Class, BsonDocument Document)> Corrupt { get; } = [];

    /// <summary>
    /// Leases up to <paramref name="maxCount"/> messages. Expired messages met on the way are added
    /// to <paramref name="expired"/> (the caller deletes and counts them); their slots go down the
    /// priority order. With <paramref name="classes"/>, only those classes are leased (null: every class).
    /// </summary>
    /// <remarks>A filter of urgent classes only (<see cref="LeaseScheduler.Urgent"/>, the urgent lane) takes every slot they can and
    /// leaves the lower classes' credit alone.</remarks>
    public List<OutboxMessage> Lease(int maxCount, long nowMs, Dictionary<UInt128, (int Class, BsonDocument Document)> expired, IReadOnlySet<Contracts.V1.PriorityClass>? classes = null)
    {
        var result = new List<OutboxMessage>();
        Corrupt.Clear();
        var state = _store.State;
        _leases.ExpireDue(nowMs, (_, lease) => _cursors.Reset(lease.ClassIndex));
        var available = _leases.Available(state.Count);
        if (classes is not null)
        {
            for (var c = 0; c < available.Length; c++)
            {
                if (!classes.Contains(OutboxClassDefaults.All[c]))
                {
                    available[c] = 0;
                }
            }
        }

        var plan = LeaseScheduler.IsUrgentOnly(classes) ? _scheduler.PlanUrgent(maxCount, available) : _scheduler.Plan(maxCount, available);
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
            if (available[c] > 0 && state.Count[c] - _leases.LeasedIn(c) - expired.Values.Count(e => e.Class == c) > 0)
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
            if (FetchLive(c, ref count, boundary, nowMs, result, expired))
            {
                return;
            }
        }

        var cursor = _cursors[c];
        var source = cursor is null ? queue.Find(_ascending) : queue.Find(Bound(_afterId, cursor));
        foreach (var document in source)
        {
            var id = document["_id"].AsBinary;
            DocumentsRead++;
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

    /// <summary>
    /// The live-first pass of one class: messages stamped at or after <paramref name="boundary"/>, newest
    /// first. It walks only what it has not passed yet (<see cref="ScanCursors.LiveHigh"/>/<see cref="ScanCursors.LiveLow"/>):
    /// first the arrivals above the passed interval, then on below it. True when <paramref name="count"/> is used up.
    /// </summary>
    /// <remarks>
    /// The walk also examines a bounded number of messages per lease, as before the interval
    /// existed: live messages below the cap simply wait (at most LiveWindow) until they join the history.
    /// </remarks>
    private bool FetchLive(int c, ref int count, byte[] boundary, long nowMs, List<OutboxMessage> result, Dictionary<UInt128, (int Class, BsonDocument Document)> expired)
    {
        var queue = _store.Queue(c);
        var examineBudget = (count * 4) + 1024;
        var high = _cursors.LiveHigh(c);
        var low = _cursors.LiveLow(c);

        // 1. Above the passed interval (everything, the first time), newest first.
        var above = high is null ? _descending : Bound(_descendingAbove, high);

        byte[]? newest = null;
        byte[]? lowest = null;
        var walkedAll = true;
        foreach (var document in queue.Find(above))
        {
            var id = document["_id"].AsBinary;
            DocumentsRead++;
            if (id.AsSpan().SequenceCompareTo(boundary) < 0)
            {
                break; // history from here down
            }

            if (--examineBudget < 0)
            {
                walkedAll = false;
                break;
            }

            newest ??= id;
            lowest = id;
            if (TryTake(c, document, nowMs, result, expired) && --count == 0)
            {
                walkedAll = false;
                break;
            }
        }

        if (high is null)
        {
            // The first walk started at the top: what it passed is one interval.
            _cursors.SetLive(c, lowest, newest);
            return count == 0;
        }

        if (walkedAll && newest is not null)
        {
            _cursors.SetLive(c, low, newest); // everything above the old interval is passed too
        }

        if (count == 0 || examineBudget <= 0)
        {
            return count == 0;
        }

        // 2. Below the passed interval, on down to the boundary.
        foreach (var document in queue.Find(Bound(_descendingBelow, low!)))
        {
            var id = document["_id"].AsBinary;
            DocumentsRead++;
            if (id.AsSpan().SequenceCompareTo(boundary) < 0 || --examineBudget < 0)
            {
                break;
            }

            _cursors.SetLive(c, id, _cursors.LiveHigh(c));
            if (TryTake(c, document, nowMs, result, expired) && --count == 0)
            {
                return true;
            }
        }

        return false;
    }

    private static Query Bound(Query query, byte[] id)
    {
        query.Where[0].Parameters["0"] = id;
        return query;
    }

    private static BsonExpression Bound(BsonExpression expression, byte[] id)
    {
        expression.Parameters["0"] = id;
        return expression;
    }

    private bool TryTake(int c, BsonDocument document, long nowMs, List<OutboxMessage> result, Dictionary<UInt128, (int Class, BsonDocument Document)> expired)
    {
        var id = document["_id"].AsBinary;
        var key = BinaryPrimitives.ReadUInt128BigEndian(id);
        if (_leases.Contains(key) || expired.ContainsKey(key) || Corrupt.ContainsKey(key))
        {
            return false;
        }

        var expiresMs = document["x"].AsInt64;
        if (EnvelopePolicy.IsExpiredAt(expiresMs, nowMs))
        {
            expired[key] = (c, document);
            return false;
        }

        if (!MessageChecksum.IsIntact(document) || _protector.TryOpen(document) is not { } payload)
        {
            Corrupt[key] = (c, document);
            return false;
        }

        _leases.Add(key, c, nowMs + _leaseTimeoutMs, OutboxStore.SizeOf(document));
        result.Add(new OutboxMessage(
            MonotonicMessageIdGenerator.Format(id),
            OutboxClassDefaults.All[c],
            document["s"].AsString,
            DateTimeOffset.FromUnixTimeMilliseconds(expiresMs),
            payload));
        return true;
    }
}
