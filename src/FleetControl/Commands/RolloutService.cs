using System.Collections.Concurrent;

namespace FleetControl.Commands;

/// <summary>
/// Staged group rollouts: the first stage's devices get the configuration; only when every one of them
/// reports it applied does the rest of the group get it. The first failure (rejection or expiry) stops
/// the rollout at once: later stages are not sent (devices of the same stage already sent the configuration
/// answer on their own, and their answers still show). Every step is stored in <c>commands.db</c> before the
/// next, so after a FleetControl restart, also a SIGKILL, a running rollout resumes where it was: it waits
/// for the commands it had sent (they are durable in the command queue) and sends only what it had not.
/// </summary>
internal sealed class RolloutService(
    CommandStore store,
    ConfigurationService configurations,
    CommandService commands,
    TimeProvider time,
    ILogger<RolloutService> logger) : IHostedService, IDisposable
{
    private readonly ConcurrentDictionary<string, Rollout> _rollouts = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, Task> _running = new(StringComparer.Ordinal);
    private readonly Lock _runLock = new();
    private Task _takeOver = Task.CompletedTask;

    /// <summary>How often an instance looks for running rollouts that no instance drives.</summary>
    internal static readonly TimeSpan TakeOverInterval = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Every configuration rollout, newest first (update rollouts are the UpdateRolloutService's): the live one where
    /// this instance drives it, otherwise as stored (with a shared store, as the instance driving it last wrote it).
    /// </summary>
    public IReadOnlyList<Rollout> List() =>
        store.ListRollouts().Where(r => r.Kind == Rollout.ConfigurationKind).Select(r => _rollouts.GetValueOrDefault(r.RolloutId) ?? r).ToList();

    public Rollout? Get(string rolloutId) =>
        _rollouts.GetValueOrDefault(rolloutId) ?? store.ListRollouts().FirstOrDefault(r => r.RolloutId == rolloutId && r.Kind == Rollout.ConfigurationKind);

    /// <summary>Starts a rollout (stored first) and returns at once; it runs until it completes or stops.</summary>
    public Rollout Start(string group, IReadOnlyList<string> devices, string json, int firstStageSize, TimeSpan? timeToLive)
    {
        var rollout = new Rollout
        {
            RolloutId = Guid.CreateVersion7(time.GetUtcNow()).ToString("N"),
            Group = group,
            Devices = devices,
            Json = json,
            FirstStageSize = Math.Clamp(firstStageSize, 1, Math.Max(1, devices.Count)),
            StartedAt = time.GetUtcNow(),
            TimeToLive = timeToLive,
        };
        lock (_runLock) // the take-over scan must not pick the stored copy up before this instance runs it
        {
            store.PutRollout(rollout);
            _rollouts[rollout.RolloutId] = rollout;
            Run(rollout);
        }
        return rollout;
    }

    /// <summary>Loads every stored rollout and resumes the running ones.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var rollout in store.ListRollouts().Where(r => r.Kind == Rollout.ConfigurationKind))
        {
            if (rollout.State == "running")
            {
                Run(rollout, $"resumed at stage {rollout.Stage} after a restart");
            }
            else
            {
                _rollouts[rollout.RolloutId] = rollout;
            }
        }

        _takeOver = TakeOverAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    /// <summary>Stops waiting; running rollouts stay "running" in the store and resume at the next start.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll([.. _running.Values, _takeOver]).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _stopping.Dispose();

    /// <summary>
    /// With a shared store: every <see cref="TakeOverInterval"/>, drives the running rollouts nobody drives (the
    /// instance that did has died or stopped; its lease went with its connection).
    /// </summary>
    private async Task TakeOverAsync(CancellationToken stopping)
    {
        try
        {
            while (true)
            {
                await Task.Delay(TakeOverInterval, time, stopping).ConfigureAwait(false);
                foreach (var candidate in store.ListRollouts().Where(r => r.Kind == Rollout.ConfigurationKind && r.State == "running" && !_running.ContainsKey(r.RolloutId)))
                {
                    lock (_runLock)
                    {
                        // Read again under the lock: it may have finished here, or elsewhere, since the list.
                        if (store.ListRollouts().FirstOrDefault(r => r.RolloutId == candidate.RolloutId) is { State: "running" } current)
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

    private void Run(Rollout rollout, string? announce = null)
    {
        Task task;
        IDisposable lease;
        lock (_runLock)
        {
            if (_running.ContainsKey(rollout.RolloutId))
            {
                return; // already driven here
            }

            // With a shared store several instances know the rollout; only the lease holder drives it, the
            // others show it as stored.
            if (store.TryLeaseRollout(rollout.RolloutId) is not { } granted)
            {
                _rollouts.TryRemove(rollout.RolloutId, out _);
                return;
            }

            lease = granted;
            _rollouts[rollout.RolloutId] = rollout;
            if (announce is not null)
            {
                Log.Rollout(logger, rollout.RolloutId, announce);
            }

            task = RunAsync(rollout, _stopping.Token);
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

    private async Task RunAsync(Rollout rollout, CancellationToken stopping)
    {
        await Task.Yield();
        try
        {
            var stages = new[] { rollout.Devices.Take(rollout.FirstStageSize).ToList(), rollout.Devices.Skip(rollout.FirstStageSize).ToList() };
            for (var i = Math.Max(0, rollout.Stage - 1); i < stages.Length; i++)
            {
                if (stages[i].Count == 0)
                {
                    continue;
                }

                rollout.Stage = i + 1;
                store.PutRollout(rollout);
                Log.Rollout(logger, rollout.RolloutId, $"stage {i + 1}: {string.Join(", ", stages[i])}");
                foreach (var device in stages[i])
                {
                    if (!rollout.DeviceCommands.ContainsKey(device))
                    {
                        var commandId = AdoptSent(rollout, device);
                        if (commandId is null)
                        {
                            var (_, command) = await configurations.SetDesiredAsync(device, rollout.Json, rollout.TimeToLive, stopping).ConfigureAwait(false);
                            commandId = command.CommandId;
                        }

                        rollout.DeviceCommands[device] = commandId;
                        rollout.DeviceStates[device] = store.Get(commandId)?.State.ToString() ?? "unknown";
                        store.PutRollout(rollout);
                    }
                }

                // Each wait ends when its command is final; commands expire, so this always ends. The first
                // failure ends the rollout without waiting for the rest of the stage.
                var waits = stages[i].ToDictionary(d => commands.WaitFinalAsync(rollout.DeviceCommands[d], stopping), d => d);
                while (waits.Count > 0)
                {
                    var done = await Task.WhenAny(waits.Keys).ConfigureAwait(false);
                    var device = waits[done];
                    waits.Remove(done);
                    var record = await done.ConfigureAwait(false);
                    rollout.DeviceStates[device] = record?.State.ToString() ?? "unknown";
                    if (record is null || record.State != CommandState.Succeeded)
                    {
                        var others = waits.Count > 0 ? $"; {waits.Count} other device(s) of stage {i + 1} already have it and answer on their own" : string.Empty;
                        // Reason first: readers poll State, and a "stopped" rollout must never be seen without its reason.
                        rollout.Reason = $"{device}: {record?.State} {record?.Reason}".TrimEnd() + others;
                        rollout.State = "stopped";
                        store.PutRollout(rollout);
                        Log.Rollout(logger, rollout.RolloutId, "stopped, " + rollout.Reason);
                        return;
                    }

                    store.PutRollout(rollout);
                }
            }

            rollout.State = "completed";
            store.PutRollout(rollout);
            Log.Rollout(logger, rollout.RolloutId, "completed");
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // FleetControl is stopping: the rollout stays "running" in the store and resumes at the next start.
        }
    }

    /// <summary>
    /// The command this rollout already sent to <paramref name="device"/> but had not recorded (FleetControl
    /// was killed in between): the device's desired configuration is this rollout's, set since it started.
    /// Adopting it instead of sending again keeps one version per rollout and device.
    /// </summary>
    private string? AdoptSent(Rollout rollout, string device)
    {
        var desired = store.GetConfiguration(device);
        return desired.CommandId.Length > 0 && desired.DesiredJson == rollout.Json
            && store.Get(desired.CommandId) is { } command && command.CreatedAt >= rollout.StartedAt
            ? command.CommandId
            : null;
    }
}
