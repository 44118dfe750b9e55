namespace EdgeGateway.Uplink.Drain;

/// <summary>
/// Wakes the drain loop: <see cref="Set"/> from any thread; <see cref="WaitAsync"/> completes at once if
/// set since the last wait, else at the next <see cref="Set"/>. A spurious wake-up is harmless: the loop
/// re-evaluates everything each time.
/// </summary>
internal sealed class AutoResetSignal
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _current = New();

    public void Set()
    {
        lock (_gate)
        {
            _current.TrySetResult();
        }
    }

    public Task WaitAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_current.Task.IsCompleted)
            {
                _current = New();
                return Task.CompletedTask;
            }

            return _current.Task.WaitAsync(cancellationToken);
        }
    }

    private static TaskCompletionSource New() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
