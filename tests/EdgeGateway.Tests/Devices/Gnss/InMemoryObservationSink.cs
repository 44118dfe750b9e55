using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;

namespace EdgeGateway.Tests.Devices.Gnss;

/// <summary>Test stand-in for the outbox: keeps every draft and lets a test await a condition on them.</summary>
internal sealed class InMemoryObservationSink : IObservationSink
{
    private readonly object _gate = new();
    private readonly List<Envelope> _envelopes = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<Envelope> Snapshot()
    {
        lock (_gate)
        {
            return [.. _envelopes];
        }
    }

    public ValueTask<EnqueueResult> AcceptAsync(Envelope draft, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        TaskCompletionSource changed;
        lock (_gate)
        {
            _envelopes.Add(draft.Clone());
            changed = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
        return ValueTask.FromResult(EnqueueResult.Accepted);
    }

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds over the received envelopes.</summary>
    public async Task<IReadOnlyList<Envelope>> WaitUntilAsync(Func<IReadOnlyList<Envelope>, bool> condition, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            IReadOnlyList<Envelope> snapshot;
            lock (_gate)
            {
                snapshot = [.. _envelopes];
                changed = _changed.Task;
            }

            if (condition(snapshot))
            {
                return snapshot;
            }

            try
            {
                await changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"Condition not met within {timeout}; {snapshot.Count} envelopes received.");
            }
        }
    }
}
