using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Outbox;
using Google.Protobuf;

namespace EdgeGateway.Benchmarks.Uplink;

/// <summary>
/// A non-durable outbox (priority order, FIFO per class, leases, acks) for measuring the uplink's own
/// ceiling without the store's cost. Benchmark-only; the product always uses the LiteDB outbox.
/// </summary>
internal sealed class BenchInMemoryOutbox : IOutbox
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<(int Priority, long Order), OutboxMessage> _ready = [];
    private readonly Dictionary<string, (int Priority, long Order)> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OutboxMessage> _leased = new(StringComparer.Ordinal);
    private TaskCompletionSource _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _order;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _keys.Count;
            }
        }
    }

    public ValueTask<EnqueueResult> EnqueueAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        var message = new OutboxMessage(envelope.MessageId, envelope.Priority, envelope.Stream, envelope.ExpiresAt.ToDateTimeOffset(), envelope.ToByteArray());
        lock (_gate)
        {
            var key = ((int)message.Priority, ++_order);
            _ready.Add(key, message);
            _keys.Add(message.MessageId, key);
            _signal.TrySetResult();
        }

        return ValueTask.FromResult(EnqueueResult.Accepted);
    }

    public ValueTask<IReadOnlyList<OutboxMessage>> LeaseAsync(int maxCount, CancellationToken cancellationToken)
    {
        var leased = new List<OutboxMessage>();
        lock (_gate)
        {
            while (leased.Count < maxCount && _ready.Count > 0)
            {
                var first = _ready.First();
                _ready.Remove(first.Key);
                _leased.Add(first.Value.MessageId, first.Value);
                leased.Add(first.Value);
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
                if (_keys.Remove(id, out var key))
                {
                    _ready.Remove(key);
                    _leased.Remove(id);
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    public void ReleaseLeases()
    {
        lock (_gate)
        {
            foreach (var (id, message) in _leased)
            {
                _ready.Add(_keys[id], message);
            }

            _leased.Clear();
            _signal.TrySetResult();
        }
    }

    public Task WaitForMessagesAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_signal.Task.IsCompleted || _ready.Count > 0)
            {
                _signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                return Task.CompletedTask;
            }

            return _signal.Task.WaitAsync(cancellationToken);
        }
    }
}
