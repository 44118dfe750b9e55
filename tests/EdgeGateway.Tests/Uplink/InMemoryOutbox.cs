using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Outbox;
using Google.Protobuf;

namespace EdgeGateway.Tests.Uplink;

/// <summary>
/// Test stand-in for the durable outbox, faithful to <see cref="IOutbox"/>'s documented semantics:
/// lease hands out urgent classes first (FIFO within a class), never returns a leased message again
/// until <see cref="ReleaseLeases"/>, drops (and counts) expired messages instead of returning them;
/// acknowledge deletes (unknown ids ignored); <see cref="WaitForMessagesAsync"/> completes when a
/// message was enqueued or leases released since the last wait (or, level-triggered, whenever
/// something is leasable). Not durable, no lease timeout.
/// </summary>
internal sealed class InMemoryOutbox : IOutbox
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly bool _levelTriggered;
    private readonly Dictionary<string, Entry> _byId = new(StringComparer.Ordinal);
    private readonly SortedSet<(int Priority, long Order)> _ready = [];
    private readonly Dictionary<long, Entry> _byOrder = [];
    private readonly HashSet<string> _leased = new(StringComparer.Ordinal);
    private TaskCompletionSource _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _order;

    public InMemoryOutbox(TimeProvider? time = null, bool levelTriggered = false)
    {
        _time = time ?? TimeProvider.System;
        _levelTriggered = levelTriggered;
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _byId.Count;
            }
        }
    }

    public int LeasedCount
    {
        get
        {
            lock (_gate)
            {
                return _leased.Count;
            }
        }
    }

    public long Acknowledged { get; private set; }

    public long ExpiredDropped { get; private set; }

    public long ReleaseCount { get; private set; }

    public bool Contains(string messageId)
    {
        lock (_gate)
        {
            return _byId.ContainsKey(messageId);
        }
    }

    public ValueTask<EnqueueResult> EnqueueAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        var expires = envelope.ExpiresAt?.ToDateTimeOffset() ?? DateTimeOffset.MaxValue;
        if (expires <= _time.GetUtcNow())
        {
            return ValueTask.FromResult(EnqueueResult.RefusedExpired);
        }

        Add(new OutboxMessage(envelope.MessageId, envelope.Priority, envelope.Stream, expires, envelope.ToByteArray()));
        return ValueTask.FromResult(EnqueueResult.Accepted);
    }

    public void Add(OutboxMessage message)
    {
        lock (_gate)
        {
            var entry = new Entry(message, ++_order);
            _byId.Add(message.MessageId, entry);
            _byOrder.Add(entry.Order, entry);
            _ready.Add(((int)message.Priority, entry.Order));
            _signal.TrySetResult();
        }
    }

    public ValueTask<IReadOnlyList<OutboxMessage>> LeaseAsync(int maxCount, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var now = _time.GetUtcNow();
        var leased = new List<OutboxMessage>(Math.Min(maxCount, 1024));
        lock (_gate)
        {
            while (leased.Count < maxCount && _ready.Count > 0)
            {
                var key = _ready.Min;
                _ready.Remove(key);
                var entry = _byOrder[key.Order];
                if (entry.Message.ExpiresAt <= now)
                {
                    ExpiredDropped++;
                    Remove(entry);
                    continue;
                }

                _leased.Add(entry.Message.MessageId);
                leased.Add(entry.Message);
            }
        }

        return ValueTask.FromResult<IReadOnlyList<OutboxMessage>>(leased);
    }

    public ValueTask AcknowledgeAsync(IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            foreach (var id in messageIds)
            {
                if (_byId.TryGetValue(id, out var entry))
                {
                    _ready.Remove(((int)entry.Message.Priority, entry.Order));
                    Remove(entry);
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
            foreach (var id in _leased)
            {
                var entry = _byId[id];
                _ready.Add(((int)entry.Message.Priority, entry.Order));
            }

            if (_leased.Count > 0)
            {
                _signal.TrySetResult();
            }

            _leased.Clear();
        }
    }

    public Task WaitForMessagesAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_signal.Task.IsCompleted || (_levelTriggered && _ready.Count > 0))
            {
                _signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return Task.CompletedTask;
            }

            return _signal.Task.WaitAsync(cancellationToken);
        }
    }

    private void Remove(Entry entry)
    {
        _byId.Remove(entry.Message.MessageId);
        _byOrder.Remove(entry.Order);
        _leased.Remove(entry.Message.MessageId);
    }

    private sealed record Entry(OutboxMessage Message, long Order);
}
