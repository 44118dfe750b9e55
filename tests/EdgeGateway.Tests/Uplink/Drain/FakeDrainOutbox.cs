using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Outbox;

namespace EdgeGateway.Tests.Uplink.Drain;

/// <summary>
/// The smallest outbox the drain loop can run against: messages in priority then arrival order,
/// leases, deletes that can be held back, and a wait that is edge-triggered or, with
/// <see cref="AlwaysSignals"/>, completes at once even when nothing can be leased (the worst a
/// level-triggered store can do).
/// </summary>
internal sealed class FakeDrainOutbox : IOutbox
{
    private readonly Lock _gate = new();
    private readonly List<OutboxMessage> _ready = [];
    private readonly HashSet<string> _leased = [];
    private TaskCompletionSource _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _urgentSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>When set, <see cref="WaitForMessagesAsync"/> always completes at once.</summary>
    public bool AlwaysSignals { get; init; }

    /// <summary>When set, each delete waits for it (to show that leasing does not wait for deletes).</summary>
    public TaskCompletionSource? HoldDeletes { get; set; }

    public int LeaseCalls { get; private set; }

    public int Deleted { get; private set; }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _ready.Count;
            }
        }
    }

    /// <summary>Calls of <see cref="LeaseUrgentAsync"/>.</summary>
    public int UrgentLeaseCalls { get; private set; }

    public void Add(OutboxMessage message)
    {
        TaskCompletionSource signal;
        TaskCompletionSource? urgent = null;
        lock (_gate)
        {
            var at = _ready.FindIndex(m => m.Priority > message.Priority);
            _ready.Insert(at < 0 ? _ready.Count : at, message);
            signal = _signal;
            _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);
            if (IsUrgent(message))
            {
                urgent = _urgentSignal;
                _urgentSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        signal.TrySetResult();
        urgent?.TrySetResult();
    }

    public ValueTask<IReadOnlyList<OutboxMessage>> LeaseUrgentAsync(int maxCount, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            UrgentLeaseCalls++;
            var leased = _ready.Where(m => IsUrgent(m) && !_leased.Contains(m.MessageId)).Take(maxCount).ToList();
            leased.ForEach(m => _leased.Add(m.MessageId));
            return ValueTask.FromResult<IReadOnlyList<OutboxMessage>>(leased);
        }
    }

    public Task WaitForUrgentAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _ready.Exists(m => IsUrgent(m) && !_leased.Contains(m.MessageId))
                ? Task.CompletedTask
                : _urgentSignal.Task.WaitAsync(cancellationToken);
        }
    }

    private static bool IsUrgent(OutboxMessage message) => message.Priority is PriorityClass.Emergency or PriorityClass.Alert;

    public ValueTask<EnqueueResult> EnqueueAsync(Envelope envelope, CancellationToken cancellationToken) =>
        throw new NotSupportedException("the drain never enqueues");

    public ValueTask<IReadOnlyList<OutboxMessage>> LeaseAsync(int maxCount, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            LeaseCalls++;
            var leased = _ready.Where(m => !_leased.Contains(m.MessageId)).Take(maxCount).ToList();
            leased.ForEach(m => _leased.Add(m.MessageId));
            return ValueTask.FromResult<IReadOnlyList<OutboxMessage>>(leased);
        }
    }

    public async ValueTask AcknowledgeAsync(IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken)
    {
        if (HoldDeletes is { } hold)
        {
            await hold.Task.WaitAsync(cancellationToken);
        }

        lock (_gate)
        {
            Deleted += _ready.RemoveAll(m => messageIds.Contains(m.MessageId));
            _leased.ExceptWith(messageIds);
        }
    }

    public void ReleaseLeases()
    {
        lock (_gate)
        {
            _leased.Clear();
        }
    }

    public Task WaitForMessagesAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return AlwaysSignals ? Task.CompletedTask : _signal.Task.WaitAsync(cancellationToken);
        }
    }
}
