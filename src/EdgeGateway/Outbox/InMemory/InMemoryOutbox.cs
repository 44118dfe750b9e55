using System.Buffers.Binary;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Outbox.Admission;
using EdgeGateway.Outbox.Leasing;
using EdgeGateway.Outbox.Policy;
using EdgeGateway.Outbox.Storage;
using Google.Protobuf;

namespace EdgeGateway.Outbox.InMemory;

/// <summary>
/// A non-durable outbox with the same rules as <see cref="LiteDbOutbox"/>: the same
/// <see cref="EnvelopePolicy"/> (class, expiry), <see cref="LeaseScheduler"/> (urgent first, minimum
/// share), live-first Telemetry, <see cref="LeaseTable"/> (lease timeout), class quotas with
/// Telemetry thinned and then evicted, drops counted in an <see cref="OutboxState"/>. For tests
/// and benchmarks that need an outbox without the store's cost; the product uses the LiteDB one.
/// </summary>
/// <remarks>
/// Differences: nothing survives the process; no disk reserve; delivery order within a class is
/// arrival order (the LiteDB outbox uses id order, which is the same for ids the sink stamps);
/// no data-loss reports are written (drops are counted). <see cref="WaitForMessagesAsync"/> completes
/// once after each enqueue or release (edge-triggered) or, with <c>levelTriggered</c>, also
/// whenever something is leasable, like the LiteDB outbox.
/// </remarks>
internal sealed class InMemoryOutbox : IOutbox, IOutboxStampState
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly bool _levelTriggered;
    private readonly EnvelopePolicy _policy;
    private readonly LeaseScheduler _scheduler;
    private readonly LeaseTable _leases = new();
    private readonly OutboxState _state = new();
    private readonly long _leaseTimeoutMs;
    private readonly int _thinningStretch;
    private readonly Dictionary<UInt128, Entry> _entries = [];
    private readonly SortedSet<Entry>[] _ready;
    private readonly long[] _thinnedThrough = new long[OutboxClassDefaults.All.Length];
    private TaskCompletionSource _signal = NewSignal();
    private TaskCompletionSource _urgentSignal = NewSignal();
    private long _order;

    /// <summary>Creates an empty outbox with the given rules (product defaults when <paramref name="options"/> is null).</summary>
    public InMemoryOutbox(TimeProvider? time = null, bool levelTriggered = false, OutboxOptions? options = null, string deviceId = "in-memory")
    {
        _time = time ?? TimeProvider.System;
        _levelTriggered = levelTriggered;
        options ??= new OutboxOptions();
        _policy = new EnvelopePolicy(options, deviceId, _time, new MonotonicMessageIdGenerator(_time));
        _scheduler = new LeaseScheduler(_policy.Classes);
        _leaseTimeoutMs = (long)options.LeaseTimeout.TotalMilliseconds;
        _thinningStretch = options.ThinningStretch;
        _ready = Enumerable.Range(0, OutboxClassDefaults.All.Length).Select(_ => new SortedSet<Entry>(ArrivalOrder.Instance)).ToArray();
    }

    /// <summary>Messages stored (leased or not).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Messages leased now.</summary>
    public int LeasedCount
    {
        get
        {
            lock (_gate)
            {
                return _leases.Count;
            }
        }
    }

    /// <summary>Messages deleted by an acknowledgement.</summary>
    public long Acknowledged { get; private set; }

    /// <summary>Messages a lease met expired (dropped and counted instead of returned).</summary>
    public long ExpiredDropped { get; private set; }

    /// <summary>Calls of <see cref="ReleaseLeases"/>.</summary>
    public long ReleaseCount { get; private set; }

    /// <summary>True if the message is stored (leased or not).</summary>
    public bool Contains(string messageId)
    {
        var id = new byte[MonotonicMessageIdGenerator.ByteLength];
        if (!MonotonicMessageIdGenerator.TryParse(messageId, id))
        {
            return false;
        }

        lock (_gate)
        {
            return _entries.ContainsKey(BinaryPrimitives.ReadUInt128BigEndian(id));
        }
    }

    /// <summary>Stores a message as-is, bypassing quota and expiry checks (test set-up). Its id must be a UUID.</summary>
    public void Add(OutboxMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var id = new byte[MonotonicMessageIdGenerator.ByteLength];
        if (!MonotonicMessageIdGenerator.TryParse(message.MessageId, id))
        {
            throw new ArgumentException($"Message id '{message.MessageId}' is not a UUID.", nameof(message));
        }

        var classIndex = EnvelopePolicy.ClassOf(message.Priority);
        if (classIndex < 0)
        {
            throw new ArgumentException($"Priority {message.Priority} is not a stored class.", nameof(message));
        }

        lock (_gate)
        {
            var key = BinaryPrimitives.ReadUInt128BigEndian(id);
            if (_entries.ContainsKey(key))
            {
                throw new ArgumentException($"Message {message.MessageId} is already stored.", nameof(message));
            }

            Store(new Entry(message, key, classIndex, ++_order, MonotonicMessageIdGenerator.TimestampOf(id), message.Envelope.Length + PendingEnqueue.OverheadBytes), sequence: 0);
        }
    }

    public ValueTask<EnqueueResult> EnqueueAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var item = PendingEnqueue.From(envelope, isInternal: false);
        lock (_gate)
        {
            return ValueTask.FromResult(Admit(item, _time.GetUtcNow().ToUnixTimeMilliseconds()));
        }
    }

    /// <summary>Stores many envelopes (same rules as one at a time).</summary>
    public ValueTask<IReadOnlyList<EnqueueResult>> EnqueueManyAsync(IReadOnlyList<Envelope> envelopes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelopes);
        cancellationToken.ThrowIfCancellationRequested();
        var items = envelopes.Select(e => PendingEnqueue.From(e, isInternal: false)).ToList();
        lock (_gate)
        {
            var nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
            return ValueTask.FromResult<IReadOnlyList<EnqueueResult>>(items.Select(i => Admit(i, nowMs)).ToList());
        }
    }

    public bool TryGetLastSequence(string stream, out ulong sequence)
    {
        lock (_gate)
        {
            sequence = _state.Sequences.GetValueOrDefault(stream);
            return true;
        }
    }

    public ValueTask<IReadOnlyList<OutboxMessage>> LeaseAsync(int maxCount, CancellationToken cancellationToken) =>
        LeaseAsync(maxCount, null, cancellationToken);

    public ValueTask<IReadOnlyList<OutboxMessage>> LeaseUrgentAsync(int maxCount, CancellationToken cancellationToken) =>
        LeaseAsync(maxCount, LeaseScheduler.Urgent, cancellationToken);

    public Task WaitForUrgentAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_ready[0].Count + _ready[1].Count > 0)
            {
                return Task.CompletedTask;
            }

            if (_urgentSignal.Task.IsCompleted)
            {
                _urgentSignal = NewSignal();
            }

            return _urgentSignal.Task.WaitAsync(cancellationToken);
        }
    }

    public ValueTask<IReadOnlyList<OutboxMessage>> LeaseAsync(int maxCount, IReadOnlySet<PriorityClass>? classes, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        cancellationToken.ThrowIfCancellationRequested();
        var result = new List<OutboxMessage>(Math.Min(maxCount, 1024));
        lock (_gate)
        {
            var nowMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
            _leases.ExpireDue(nowMs, (key, _) =>
            {
                if (_entries.TryGetValue(key, out var entry))
                {
                    _ready[entry.ClassIndex].Add(entry);
                }
            });

            var available = _ready.Select((r, c) => classes is null || classes.Contains(OutboxClassDefaults.All[c]) ? (long)r.Count : 0).ToArray();
            var plan = LeaseScheduler.IsUrgentOnly(classes) ? _scheduler.PlanUrgent(maxCount, available) : _scheduler.Plan(maxCount, available);
            var expired = 0;
            for (var c = 0; c < plan.Length; c++)
            {
                if (plan[c] > 0)
                {
                    expired += Fetch(c, plan[c], nowMs, result);
                }
            }

            // Slots a class could not use (its messages had expired) go down the priority order.
            for (var c = 0; c < plan.Length && result.Count < maxCount && expired > 0; c++)
            {
                if (available[c] > 0 && _ready[c].Count > 0)
                {
                    expired += Fetch(c, maxCount - result.Count, nowMs, result);
                }
            }
        }

        return ValueTask.FromResult<IReadOnlyList<OutboxMessage>>(result);
    }

    public ValueTask AcknowledgeAsync(IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messageIds);
        cancellationToken.ThrowIfCancellationRequested();
        var id = new byte[MonotonicMessageIdGenerator.ByteLength];
        lock (_gate)
        {
            foreach (var text in messageIds)
            {
                if (MonotonicMessageIdGenerator.TryParse(text, id) && _entries.TryGetValue(BinaryPrimitives.ReadUInt128BigEndian(id), out var entry))
                {
                    Remove(entry);
                    _state.AcknowledgedTotal++;
                    Acknowledged++;
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    public void ReleaseLeases()
    {
        lock (_gate)
        {
            ReleaseCount++;
            if (_leases.Count == 0)
            {
                return;
            }

            foreach (var entry in _entries.Values)
            {
                if (_leases.Contains(entry.Key))
                {
                    _ready[entry.ClassIndex].Add(entry);
                }
            }

            _leases.Clear();
            _signal.TrySetResult();
            _urgentSignal.TrySetResult();
        }
    }

    public Task WaitForMessagesAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_signal.Task.IsCompleted || (_levelTriggered && (AnyReady() || _time.GetUtcNow().ToUnixTimeMilliseconds() >= _leases.EarliestDeadlineMs)))
            {
                _signal = NewSignal();
                return Task.CompletedTask;
            }

            return _signal.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>A snapshot in the LiteDB outbox's shape (no files, durability always Ok).</summary>
    public OutboxStatistics GetStatistics()
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var oldest = new long[OutboxClassDefaults.All.Length];
            Array.Fill(oldest, long.MaxValue);
            foreach (var entry in _entries.Values)
            {
                oldest[entry.ClassIndex] = Math.Min(oldest[entry.ClassIndex], entry.StampMs);
            }

            var classes = Enumerable.Range(0, OutboxClassDefaults.All.Length)
                .Select(c => new OutboxClassStatistics(
                    OutboxClassDefaults.All[c],
                    _state.Count[c],
                    _state.Bytes[c],
                    oldest[c] == long.MaxValue ? 0 : Math.Max(0, now.ToUnixTimeMilliseconds() - oldest[c]),
                    _policy.Classes[c].QuotaBytes,
                    _leases.LeasedIn(c)))
                .ToList();
            var drops = _state.DropTotals
                .OrderBy(d => d.Key.Class).ThenBy(d => d.Key.Reason, StringComparer.Ordinal)
                .Select(d => new OutboxDropStatistics(OutboxClassDefaults.All[d.Key.Class], d.Key.Reason, d.Value))
                .ToList();
            return new OutboxStatistics(now, DurabilityState.Ok, null, classes, drops, _state.AcceptedTotal, _state.AcknowledgedTotal, 0, 0, 0, _leases.Count);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private bool AnyReady() => _ready.Any(r => r.Count > 0);

    /// <summary>The same decisions as <see cref="EnqueueAdmission"/>, minus the disk reserve.</summary>
    private EnqueueResult Admit(PendingEnqueue item, long nowMs)
    {
        var c = item.ClassIndex;
        var expiresMs = item.ExpiresMs ?? _policy.ExpiresMs(c, item.CapturedMs);
        if (EnvelopePolicy.IsExpiredAt(expiresMs, nowMs))
        {
            _state.RecordLoss(c, "expired", 1, item.CapturedMs, item.Stream);
            return EnqueueResult.RefusedExpired;
        }

        var key = BinaryPrimitives.ReadUInt128BigEndian(item.Id);
        if (_entries.ContainsKey(key))
        {
            return EnqueueResult.Accepted; // a replay of a stored message
        }

        var quota = _policy.Classes[c].QuotaBytes;
        if (_state.Bytes[c] + item.Size > quota)
        {
            if (EnvelopePolicy.Thins(c))
            {
                MakeRoom(c, _state.Bytes[c] + item.Size - quota + (quota / 20), nowMs);
            }

            if (_state.Bytes[c] + item.Size > quota)
            {
                _state.RecordLoss(c, "refused", 1, item.CapturedMs, item.Stream);
                return EnqueueResult.RefusedQuota;
            }
        }

        var message = new OutboxMessage(
            MonotonicMessageIdGenerator.Format(item.Id),
            OutboxClassDefaults.All[c],
            item.Stream,
            DateTimeOffset.FromUnixTimeMilliseconds(expiresMs),
            item.Payload);
        Store(new Entry(message, key, c, ++_order, MonotonicMessageIdGenerator.TimestampOf(item.Id), item.Size, item.CapturedMs), item.Sequence);
        return EnqueueResult.Accepted;
    }

    private void Store(Entry entry, ulong sequence)
    {
        _entries.Add(entry.Key, entry);
        _ready[entry.ClassIndex].Add(entry);
        _state.Count[entry.ClassIndex]++;
        _state.Bytes[entry.ClassIndex] += entry.Size;
        _state.AcceptedTotal++;
        var stream = entry.Message.Stream;
        if (sequence > _state.Sequences.GetValueOrDefault(stream))
        {
            _state.Sequences[stream] = sequence;
        }

        _signal.TrySetResult();
        if (entry.ClassIndex < LeaseScheduler.UrgentClasses)
        {
            _urgentSignal.TrySetResult();
        }
    }

    private void Remove(Entry entry)
    {
        _entries.Remove(entry.Key);
        _ready[entry.ClassIndex].Remove(entry);
        _leases.TryRemove(entry.Key, out _);
        _state.Count[entry.ClassIndex]--;
        _state.Bytes[entry.ClassIndex] -= entry.Size;
    }

    private void Drop(Entry entry, string reason)
    {
        Remove(entry);
        _state.RecordLoss(entry.ClassIndex, reason, 1, entry.CapturedMs ?? entry.StampMs, entry.Message.Stream);
    }

    /// <summary>
    /// Leases up to <paramref name="count"/> messages of one class: live Telemetry newest-first
    /// (examining a bounded number, like the LiteDB outbox), then oldest-first. Returns how many
    /// expired messages it dropped on the way.
    /// </summary>
    private int Fetch(int c, int count, long nowMs, List<OutboxMessage> result)
    {
        var taken = new List<Entry>();
        var expired = new List<Entry>();
        UInt128? boundary = null;
        if (_policy.IsLiveFirst(c))
        {
            boundary = BinaryPrimitives.ReadUInt128BigEndian(_policy.LiveBoundary(nowMs));
            var examineBudget = (count * 4) + 1024;
            foreach (var entry in _ready[c].Reverse())
            {
                if (entry.Key < boundary || --examineBudget < 0 || taken.Count == count)
                {
                    break;
                }

                (IsExpired(entry, nowMs) ? expired : taken).Add(entry);
            }
        }

        if (taken.Count < count)
        {
            foreach (var entry in _ready[c])
            {
                if ((boundary is { } live && entry.Key >= live) || taken.Count == count)
                {
                    break;
                }

                (IsExpired(entry, nowMs) ? expired : taken).Add(entry);
            }
        }

        foreach (var entry in expired)
        {
            Drop(entry, "expired");
            ExpiredDropped++;
        }

        foreach (var entry in taken)
        {
            _ready[c].Remove(entry);
            _leases.Add(entry.Key, c, nowMs + _leaseTimeoutMs, entry.Size);
            result.Add(entry.Message);
        }

        return expired.Count;
    }

    private static bool IsExpired(Entry entry, long nowMs) =>
        EnvelopePolicy.IsExpiredAt(entry.Message.ExpiresAt.ToUnixTimeMilliseconds(), nowMs);

    /// <summary>
    /// Telemetry at quota, as in the LiteDB outbox: thin the oldest not-yet-thinned history
    /// (every other message of a stretch older than the live window), then evict oldest-first.
    /// Leased messages are never touched (they are not in the ready set).
    /// </summary>
    private void MakeRoom(int c, long target, long nowMs)
    {
        var boundary = BinaryPrimitives.ReadUInt128BigEndian(_policy.LiveBoundary(nowMs));
        var freed = 0L;
        while (freed < target)
        {
            var stretch = _ready[c]
                .Where(e => e.Order > _thinnedThrough[c])
                .TakeWhile(e => e.Key < boundary)
                .Take(_thinningStretch)
                .ToList();
            if (stretch.Count < 2)
            {
                break;
            }

            for (var i = 1; i < stretch.Count; i += 2)
            {
                Drop(stretch[i], "thinned");
                freed += stretch[i].Size;
            }

            _thinnedThrough[c] = stretch[^1].Order;
        }

        while (freed < target && _ready[c].Min is { } oldest)
        {
            Drop(oldest, "evicted");
            freed += oldest.Size;
        }
    }

    private sealed record Entry(OutboxMessage Message, UInt128 Key, int ClassIndex, long Order, long StampMs, long Size, long? CapturedMs = null);

    private sealed class ArrivalOrder : IComparer<Entry>
    {
        public static readonly ArrivalOrder Instance = new();

        public int Compare(Entry? x, Entry? y) => (x?.Order ?? 0).CompareTo(y?.Order ?? 0);
    }
}
