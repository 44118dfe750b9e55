using System.Collections.Concurrent;

namespace FleetControl.Commands;

/// <summary>
/// Drives the rollouts of one kind on this instance, for <see cref="RolloutService"/> (configurations) and
/// <c>UpdateRolloutService</c> (software updates), which supply what running one means. A rollout is driven under the
/// store's lease (<see cref="CommandStore.TryLeaseRollout"/>), so with a shared store only one instance drives it and
/// the others show it as stored; every <see cref="TakeOverInterval"/> the driver takes over running rollouts that no
/// instance drives (the one that did has died or stopped; its lease went with its connection).
/// </summary>
internal sealed class RolloutDriver(
    CommandStore store,
    string kind,
    TimeProvider time,
    Action<string, string> announce,
    Func<Rollout, CancellationToken, Task> runAsync) : IDisposable
{
    /// <summary>A rollout's state while it is not finished.</summary>
    public const string Running = "running";

    /// <summary>How often an instance looks for running rollouts that no instance drives.</summary>
    internal static readonly TimeSpan TakeOverInterval = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, Rollout> _rollouts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task> _running = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _runLock = new();
    private Task _takeOver = Task.CompletedTask;

    /// <summary>
    /// Every rollout of this kind, newest first: the live one where this instance drives it, otherwise as stored
    /// (with a shared store, as the instance driving it last wrote it).
    /// </summary>
    public IReadOnlyList<Rollout> List() =>
        store.ListRollouts().Where(r => r.Kind == kind).Select(r => _rollouts.GetValueOrDefault(r.RolloutId) ?? r).ToList();

    /// <summary>One rollout of this kind (live or as stored); null when unknown.</summary>
    public Rollout? Get(string rolloutId) =>
        _rollouts.GetValueOrDefault(rolloutId) ?? store.ListRollouts().FirstOrDefault(r => r.RolloutId == rolloutId && r.Kind == kind);

    /// <summary>Stores a new rollout and drives it.</summary>
    public void Start(Rollout rollout)
    {
        lock (_runLock) // the take-over scan must not pick the stored copy up before this instance runs it
        {
            store.PutRollout(rollout);
            _rollouts[rollout.RolloutId] = rollout;
            Run(rollout);
        }
    }

    /// <summary>At start-up: loads every stored rollout of this kind, resumes the running ones, starts the take-over scan.</summary>
    /// <param name="resumed">What to log for a running rollout resumed after a restart.</param>
    public void Resume(Func<Rollout, string> resumed)
    {
        foreach (var rollout in store.ListRollouts().Where(r => r.Kind == kind))
        {
            if (rollout.State == Running)
            {
                Run(rollout, resumed(rollout));
            }
            else
            {
                _rollouts[rollout.RolloutId] = rollout;
            }
        }

        _takeOver = TakeOverAsync(_stopping.Token);
    }

    /// <summary>Stops driving; running rollouts stay "running" in the store and resume at the next start.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll([.. _running.Values, _takeOver]).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _stopping.Dispose();

    private async Task TakeOverAsync(CancellationToken stopping)
    {
        try
        {
            while (true)
            {
                await Task.Delay(TakeOverInterval, time, stopping).ConfigureAwait(false);
                foreach (var candidate in store.ListRollouts().Where(r => r.Kind == kind && r.State == Running && !_running.ContainsKey(r.RolloutId)))
                {
                    lock (_runLock)
                    {
                        // Read again under the lock: it may have finished here, or elsewhere, since the list.
                        if (store.ListRollouts().FirstOrDefault(r => r.RolloutId == candidate.RolloutId) is { State: Running } current)
                        {
                            Run(current, "taken over: no instance was driving it");
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private void Run(Rollout rollout, string? message = null)
    {
        Task task;
        IDisposable lease;
        lock (_runLock)
        {
            if (_running.ContainsKey(rollout.RolloutId))
            {
                return; // already driven here
            }

            if (store.TryLeaseRollout(rollout.RolloutId) is not { } granted)
            {
                _rollouts.TryRemove(rollout.RolloutId, out _); // another instance drives it: show it as stored
                return;
            }

            lease = granted;
            _rollouts[rollout.RolloutId] = rollout;
            if (message is not null)
            {
                announce(rollout.RolloutId, message);
            }

            task = runAsync(rollout, _stopping.Token);
            _running[rollout.RolloutId] = task;
        }

        _ = task.ContinueWith(
            _ =>
            {
                _running.TryRemove(rollout.RolloutId, out Task? _);
                lease.Dispose();
            },
            TaskScheduler.Default);
    }
}
