using System.Collections.Concurrent;
using System.Diagnostics;
using EdgeGateway.Contracts.V1;

namespace EdgeGateway.Benchmarks.Load;

/// <summary>
/// Timestamps (Stopwatch ticks) what happens to the messages of one load run, fed by the two
/// in-process decorators: <see cref="ObservingOutbox"/> in the gateway (enqueue, DeliveryAck applied
/// = outbox delete) and <see cref="ObservingAckPublisher"/> in FleetControl (ack published = the
/// envelopes are durably committed). Ids of the watched class (Emergency unless given, Read for the
/// ANPR harness) are "watched" for per-message latency; every other id is only counted, so the hot
/// path stays a dictionary lookup.
/// </summary>
internal sealed class AckObserver(PriorityClass watchedClass = PriorityClass.Emergency)
{
    private readonly ConcurrentDictionary<string, WatchedMessage> _watched = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _pending = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _firstStoredAck;
    private long _firstGatewayAck;
    private long _storedIds;
    private long _gatewayAckedIds;
    private long _lastGatewayAck;
    private long _drainedAt;
    private volatile bool _armed;
    private readonly ConcurrentQueue<Commit> _commits = new();

    /// <summary>A watched envelope is about to be stored in the outbox (its id is stamped): e.g. to map a read id to it.</summary>
    public event Action<Envelope>? WatchedEnqueuing;

    /// <summary>The class whose ids are watched.</summary>
    public PriorityClass WatchedClass => watchedClass;

    /// <summary>Gateway outbox LeaseAsync calls (non-empty ones counted by items).</summary>
    public CallTimer Leases { get; } = new();

    /// <summary>Gateway outbox AcknowledgeAsync calls (the delete on a DeliveryAck).</summary>
    public CallTimer Deletes { get; } = new();

    /// <summary>FleetControl ack publish calls.</summary>
    public CallTimer AckPublishes { get; } = new();

    /// <summary>Ids enqueued and not yet deleted from the outbox after an ack.</summary>
    public int Pending => _pending.Count;

    /// <summary>Completes when <see cref="Pending"/> reaches 0 after <see cref="ArmDrain"/>.</summary>
    public Task Drained => _drained.Task;

    public long FirstStoredAck => Interlocked.Read(ref _firstStoredAck);

    public long FirstGatewayAck => Interlocked.Read(ref _firstGatewayAck);

    public long LastGatewayAck => Interlocked.Read(ref _lastGatewayAck);

    /// <summary>Stopwatch ticks when the pending set first became empty after <see cref="ArmDrain"/>.</summary>
    public long DrainedAt => Interlocked.Read(ref _drainedAt);

    public long StoredIds => Interlocked.Read(ref _storedIds);

    public long GatewayAckedIds => Interlocked.Read(ref _gatewayAckedIds);

    /// <summary>Stopwatch ticks when FleetControl stored this watched id, 0 if not (yet).</summary>
    public long StoredAt(string messageId) => _watched.TryGetValue(messageId, out var w) ? Interlocked.Read(ref w.StoredAt) : 0;

    /// <summary>Stopwatch ticks when the uplink leased this watched id, 0 if not (yet).</summary>
    public long LeasedAt(string messageId) => _watched.TryGetValue(messageId, out var w) ? Interlocked.Read(ref w.LeasedAt) : 0;

    /// <summary>Stopwatch ticks when the gateway deleted this watched id on its ack, 0 if not (yet).</summary>
    public long GatewayAckedAt(string messageId) => _watched.TryGetValue(messageId, out var w) ? Interlocked.Read(ref w.GatewayAckedAt) : 0;

    /// <summary>FleetControl's ingest commits so far, in the order they ended.</summary>
    public IReadOnlyList<Commit> Commits => _commits.ToArray();

    /// <summary>Stopwatch ticks when FleetControl's commit holding this watched id started, 0 if not (yet).</summary>
    public long CommitStartedAt(string messageId) => _watched.TryGetValue(messageId, out var w) ? Interlocked.Read(ref w.CommitStartedAt) : 0;

    /// <summary>FleetControl's store committed these envelopes between <paramref name="start"/> and <paramref name="end"/> (Stopwatch ticks).</summary>
    public void Committed(long start, long end, IReadOnlyList<Envelope> envelopes)
    {
        var urgent = false;
        foreach (var envelope in envelopes)
        {
            if (envelope.Priority == watchedClass && _watched.TryGetValue(envelope.MessageId, out var w))
            {
                urgent = true;
                Interlocked.CompareExchange(ref w.CommitStartedAt, start, 0);
            }
        }

        _commits.Enqueue(new Commit(start, end, envelopes.Count, urgent));
    }

    /// <summary>From now on, an empty pending set completes <see cref="Drained"/>.</summary>
    public void ArmDrain()
    {
        _armed = true;
        if (_pending.IsEmpty)
        {
            MarkDrained(Stopwatch.GetTimestamp());
        }
    }

    /// <summary>The gateway outbox is about to store this (stamped) envelope.</summary>
    public void Enqueuing(Envelope envelope)
    {
        _pending.TryAdd(envelope.MessageId, 0);
        if (envelope.Priority == watchedClass)
        {
            _watched.TryAdd(envelope.MessageId, new WatchedMessage(envelope.MessageId));
            WatchedEnqueuing?.Invoke(envelope);
        }
    }

    /// <summary>The outbox refused it: it will never be acked.</summary>
    public void Refused(string messageId) => _pending.TryRemove(messageId, out _);

    /// <summary>The uplink leased this watched id to publish it (first lease counts).</summary>
    public void Leased(string messageId)
    {
        if (_watched.TryGetValue(messageId, out var w))
        {
            Interlocked.CompareExchange(ref w.LeasedAt, Stopwatch.GetTimestamp(), 0);
        }
    }

    /// <summary>The broker has received the publish that carries these ids from the gateway.</summary>
    public void BrokerReceived(IEnumerable<string> messageIds)
    {
        var now = Stopwatch.GetTimestamp();
        foreach (var id in messageIds)
        {
            if (_watched.TryGetValue(id, out var w))
            {
                Interlocked.CompareExchange(ref w.BrokerReceivedAt, now, 0);
            }
        }
    }

    /// <summary>When the broker received this watched id (0 if not seen).</summary>
    public long BrokerReceivedAt(string messageId) => _watched.TryGetValue(messageId, out var w) ? Interlocked.Read(ref w.BrokerReceivedAt) : 0;

    /// <summary>FleetControl committed these ids and is publishing the DeliveryAck.</summary>
    public void Stored(IEnumerable<string> messageIds)
    {
        var now = Stopwatch.GetTimestamp();
        Interlocked.CompareExchange(ref _firstStoredAck, now, 0);
        var count = 0;
        foreach (var id in messageIds)
        {
            count++;
            if (_watched.TryGetValue(id, out var w))
            {
                Interlocked.CompareExchange(ref w.StoredAt, now, 0);
            }
        }

        Interlocked.Add(ref _storedIds, count);
    }

    /// <summary>The gateway received a DeliveryAck for these ids and deleted them from its outbox.</summary>
    public void GatewayAcked(IReadOnlyCollection<string> messageIds)
    {
        var now = Stopwatch.GetTimestamp();
        Interlocked.CompareExchange(ref _firstGatewayAck, now, 0);
        Interlocked.Exchange(ref _lastGatewayAck, now);
        Interlocked.Add(ref _gatewayAckedIds, messageIds.Count);
        foreach (var id in messageIds)
        {
            _pending.TryRemove(id, out _);
            if (_watched.TryGetValue(id, out var w))
            {
                Interlocked.CompareExchange(ref w.GatewayAckedAt, now, 0);
            }
        }

        if (_armed && _pending.IsEmpty)
        {
            MarkDrained(now);
        }
    }

    private void MarkDrained(long at)
    {
        Interlocked.CompareExchange(ref _drainedAt, at, 0);
        _drained.TrySetResult();
    }

    /// <summary>Timestamps of one watched (Emergency) message.</summary>
    internal sealed class WatchedMessage(string messageId)
    {
        public long LeasedAt;
        public long BrokerReceivedAt;
        public long CommitStartedAt;
        public long StoredAt;
        public long GatewayAckedAt;

        public string MessageId { get; } = messageId;
    }

    /// <summary>One FleetControl ingest commit: Stopwatch ticks, envelopes, whether it held a watched Emergency.</summary>
    internal sealed record Commit(long Start, long End, int Envelopes, bool HoldsWatched);
}
