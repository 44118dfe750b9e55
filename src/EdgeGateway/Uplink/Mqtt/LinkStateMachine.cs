using EdgeGateway.Contracts.V1;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Uplink.Mqtt;

/// <summary>
/// Link health as an explicit state machine: Offline (not connected) -&gt; Connected (connected, acks
/// flowing) &lt;-&gt; Degraded (connected, but acks overdue or publishes failing) -&gt; Offline. Every
/// transition is logged once and raised through <see cref="Changed"/>; triggers that do not apply in
/// the current state are ignored.
/// </summary>
internal sealed class LinkStateMachine
{
    private readonly ILogger<LinkStateMachine> _logger;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly List<(LinkState State, TaskCompletionSource Done)> _waiters = [];
    private LinkState _state = LinkState.Offline;

    public LinkStateMachine(ILogger<LinkStateMachine> logger, TimeProvider time)
    {
        _logger = logger;
        _time = time;
    }

    /// <summary>Raised after each transition, outside the lock, on the thread that fired the trigger.</summary>
    public event Action<LinkStateChange>? Changed;

    public LinkState Current
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>The transition table. Returns the state <paramref name="trigger"/> leads to from <paramref name="from"/>.</summary>
    public static LinkState Next(LinkState from, LinkTrigger trigger) => (from, trigger) switch
    {
        (LinkState.Offline, LinkTrigger.Connected) => LinkState.Connected,
        (LinkState.Connected, LinkTrigger.AcksOverdue or LinkTrigger.PublishFailed) => LinkState.Degraded,
        (LinkState.Degraded, LinkTrigger.AckReceived) => LinkState.Connected,
        (LinkState.Connected or LinkState.Degraded, LinkTrigger.Disconnected) => LinkState.Offline,
        _ => from,
    };

    /// <summary>Applies <paramref name="trigger"/>; returns true if the state changed.</summary>
    public bool Fire(LinkTrigger trigger, string reason)
    {
        LinkStateChange change;
        List<TaskCompletionSource>? reached = null;
        lock (_gate)
        {
            var next = Next(_state, trigger);
            if (next == _state)
            {
                return false;
            }

            change = new LinkStateChange(_state, next, trigger, reason, _time.GetUtcNow());
            _state = next;
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].State == next)
                {
                    (reached ??= []).Add(_waiters[i].Done);
                    _waiters.RemoveAt(i);
                }
            }
        }

        Log.LinkStateChanged(_logger, change.From, change.To, trigger, reason);
        reached?.ForEach(t => t.TrySetResult());
        Changed?.Invoke(change);
        return true;
    }

    /// <summary>Completes when the link is (or next becomes) <paramref name="state"/>.</summary>
    public Task WaitForAsync(LinkState state, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_state == state)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((state, done));
            return done.Task.WaitAsync(cancellationToken);
        }
    }
}
