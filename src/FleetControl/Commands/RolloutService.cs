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
    private RolloutDriver? _driver;

    private RolloutDriver Driver => LazyInitializer.EnsureInitialized(
        ref _driver,
        () => new RolloutDriver(store, Rollout.ConfigurationKind, time, (id, message) => Log.Rollout(logger, id, message), RunAsync));

    /// <summary>
    /// Every configuration rollout, newest first (update rollouts are the UpdateRolloutService's): the live one where
    /// this instance drives it, otherwise as stored (with a shared store, as the instance driving it last wrote it).
    /// </summary>
    public IReadOnlyList<Rollout> List() => Driver.List();

    public Rollout? Get(string rolloutId) => Driver.Get(rolloutId);

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
        Driver.Start(rollout);
        return rollout;
    }

    /// <summary>Loads every stored rollout and resumes the running ones.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        Driver.Resume(rollout => $"resumed at stage {rollout.Stage} after a restart");
        return Task.CompletedTask;
    }

    /// <summary>Stops waiting; running rollouts stay "running" in the store and resume at the next start.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => Driver.StopAsync(cancellationToken);

    public void Dispose() => _driver?.Dispose();

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
