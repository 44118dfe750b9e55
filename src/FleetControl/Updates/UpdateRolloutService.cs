using System.Globalization;
using EdgeGateway.Contracts.V1;
using FleetControl.Commands;
using FleetControl.Store;

namespace FleetControl.Updates;

/// <summary>
/// Staged OTA update rollouts, in waves (e.g. a canary device, then 10%, then the rest). Each wave's devices get an
/// install-update command through the command queue; the next wave starts only when every device of this wave has
/// reported <c>update.committed</c> for the offered version. The rollout halts at once when a device reports
/// <c>update.rolled-back</c>, refuses the install (the command failed or expired), or the wave is not committed within
/// its timeout; later waves are never sent. An operator may halt it too. Rollouts are stored in <c>commands.db</c>
/// beside the configuration rollouts after every step, so a FleetControl restart resumes a running one without
/// sending a device its command twice (the wave's timeout starts again at the resume).
/// </summary>
/// <remarks>
/// The version in a device's status is not taken as a commit: a version on trial already reports it, and may still
/// be rolled back. Only the gateway's <c>update.committed</c> event (sent after its health check passed) counts.
/// </remarks>
internal sealed class UpdateRolloutService(
    CommandStore store,
    CommandService commands,
    IFleetStore fleet,
    TimeProvider time,
    ILogger<UpdateRolloutService> logger) : IHostedService, IDisposable
{
    /// <summary>Prefix of the gateway's update outcome events.</summary>
    public const string EventPrefix = "update.";

    public const string CommittedEvent = "update.committed";

    public const string RolledBackEvent = "update.rolled-back";

    public const string Running = RolloutDriver.Running;

    public const string Completed = "completed";

    public const string HaltedState = "halted";

    /// <summary>Used when a rollout names no wave timeout.</summary>
    public static readonly TimeSpan DefaultWaveTimeout = TimeSpan.FromHours(1);

    /// <summary>Device clocks may run behind FleetControl's: outcome events this much older than the rollout still count.</summary>
    private static readonly TimeSpan ClockSlack = TimeSpan.FromMinutes(5);

    /// <summary>Newest events read per device when looking for its outcome.</summary>
    private const int EventsPerDevice = 50;


    private RolloutDriver? _driver;

    private RolloutDriver Driver => LazyInitializer.EnsureInitialized(
        ref _driver,
        () => new RolloutDriver(store, Rollout.UpdateKind, time, (id, message) => Log.Rollout(logger, id, message), RunAsync));
    private TaskCompletionSource _pulse = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Every update rollout, newest first: the live one where this instance drives it, otherwise as stored (with a
    /// shared store, as the instance driving it last wrote it).
    /// </summary>
    public IReadOnlyList<Rollout> List() => Driver.List();

    public Rollout? Get(string rolloutId) => Driver.Get(rolloutId);

    /// <summary>Starts a rollout (stored first) and returns at once.</summary>
    public Rollout Start(string group, IReadOnlyList<string> devices, string offerJson, string version, IReadOnlyList<int> waves, TimeSpan? timeToLive, TimeSpan? waveTimeout)
    {
        var rollout = new Rollout
        {
            RolloutId = Guid.CreateVersion7(time.GetUtcNow()).ToString("N"),
            Kind = Rollout.UpdateKind,
            Group = group,
            Devices = devices,
            Json = offerJson,
            Version = version,
            Waves = waves,
            FirstStageSize = waves[0],
            StartedAt = time.GetUtcNow(),
            TimeToLive = timeToLive,
            WaveTimeout = waveTimeout,
        };
        Driver.Start(rollout);
        return rollout;
    }

    /// <summary>Halts a running rollout (no further wave is sent); null when unknown. A finished one is returned unchanged.</summary>
    public Rollout? Halt(string rolloutId, string reason)
    {
        if (Get(rolloutId) is not { } rollout)
        {
            return null;
        }

        lock (rollout)
        {
            if (rollout.State == Running)
            {
                SetHalted(rollout, reason);
            }
        }

        Wake();
        return rollout;
    }

    /// <summary>Makes every running rollout look at its devices again (an outcome event or a command changed).</summary>
    public void Wake() => Interlocked.Exchange(ref _pulse, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>
    /// Device counts per wave for <paramref name="count"/> devices: each spec is a count (<c>1</c>), a percentage of the
    /// group (<c>10%</c>, rounded up) or <c>rest</c>; devices left after the last spec form one more wave.
    /// </summary>
    /// <exception cref="ArgumentException">A spec is none of these.</exception>
    public static IReadOnlyList<int> PlanWaves(int count, IReadOnlyList<string> specs)
    {
        var waves = new List<int>();
        var left = count;
        foreach (var raw in specs)
        {
            var spec = raw.Trim();
            int size;
            if (spec.Equals("rest", StringComparison.OrdinalIgnoreCase))
            {
                size = left;
            }
            else if (spec.EndsWith('%') && double.TryParse(spec[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var percent) && percent is > 0 and <= 100)
            {
                size = Math.Max(1, (int)Math.Ceiling(count * percent / 100));
            }
            else if (int.TryParse(spec, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0)
            {
                size = n;
            }
            else
            {
                throw new ArgumentException($"wave '{raw}' is not a device count (1), a percentage (10%) or 'rest'", nameof(specs));
            }

            size = Math.Min(size, left);
            if (size > 0)
            {
                waves.Add(size);
                left -= size;
            }
        }

        if (left > 0)
        {
            waves.Add(left);
        }

        return waves;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        commands.Changed += OnCommandChanged;
        Driver.Resume(rollout => $"resumed at wave {rollout.Stage} after a restart");
        return Task.CompletedTask;
    }

    /// <summary>Stops waiting; running rollouts stay "running" in the store and resume at the next start.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        commands.Changed -= OnCommandChanged;
        await Driver.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _driver?.Dispose();

    private void OnCommandChanged(CommandRecord record)
    {
        if (record.Kind == CommandKinds.InstallUpdate)
        {
            Wake();
        }
    }

    private async Task RunAsync(Rollout rollout, CancellationToken stopping)
    {
        await Task.Yield();
        try
        {
            var start = 0;
            for (var i = 0; i < rollout.Waves.Count; i++)
            {
                var wave = rollout.Devices.Skip(start).Take(rollout.Waves[i]).ToList();
                start += rollout.Waves[i];
                if (i < rollout.Stage - 1)
                {
                    continue; // committed before a restart
                }

                lock (rollout)
                {
                    if (rollout.State != Running)
                    {
                        return;
                    }

                    rollout.Stage = i + 1;
                    store.PutRollout(rollout);
                }

                Log.Rollout(logger, rollout.RolloutId, $"wave {i + 1} of {rollout.Waves.Count}: {string.Join(", ", wave)}");
                foreach (var device in wave.Where(d => !rollout.DeviceCommands.ContainsKey(d)))
                {
                    var command = new Command { InstallUpdate = new InstallUpdateCommand { OfferJson = rollout.Json } };
                    var record = await commands.SendAsync(device, command, rollout.TimeToLive, stopping, queued =>
                    {
                        // Recorded before the device can answer, so its answer finds the rollout's state in place.
                        rollout.DeviceCommands[device] = queued.CommandId;
                        rollout.DeviceStates[device] = "queued";
                        store.PutRollout(rollout);
                    }).ConfigureAwait(false);
                    rollout.DeviceStates.TryUpdate(device, record.State.ToString().ToLowerInvariant(), "queued");
                }

                if (!await WaitForWaveAsync(rollout, i + 1, wave, stopping).ConfigureAwait(false))
                {
                    return;
                }
            }

            lock (rollout)
            {
                if (rollout.State == Running)
                {
                    rollout.State = Completed;
                    store.PutRollout(rollout);
                }
            }

            Log.Rollout(logger, rollout.RolloutId, $"completed: {rollout.Devices.Count} device(s) committed {rollout.Version}");
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // FleetControl is stopping: the rollout stays "running" in the store and resumes at the next start.
        }
    }

    /// <summary>True when every device of the wave committed; false when the rollout halted (it is then stored halted).</summary>
    private async Task<bool> WaitForWaveAsync(Rollout rollout, int waveNumber, IReadOnlyList<string> wave, CancellationToken stopping)
    {
        var timeout = rollout.WaveTimeout ?? DefaultWaveTimeout;
        var deadline = time.GetUtcNow() + timeout;
        while (true)
        {
            var pulse = Volatile.Read(ref _pulse).Task; // taken before looking, so a change while looking is not missed
            if (rollout.State != Running)
            {
                return false; // halted by an operator
            }

            var (pending, failure) = await EvaluateAsync(rollout, wave, stopping).ConfigureAwait(false);
            if (failure is not null)
            {
                var others = pending.Count > 0 ? $"; {pending.Count} other device(s) of wave {waveNumber} already have it and finish on their own" : string.Empty;
                Halt(rollout, failure + others);
                return false;
            }

            if (pending.Count == 0)
            {
                store.PutRollout(rollout);
                return true;
            }

            var left = deadline - time.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                Halt(rollout, $"wave {waveNumber} timed out: {string.Join(", ", pending)} did not report {CommittedEvent} for {rollout.Version} within {timeout}");
                return false;
            }

            using var wait = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            // Re-evaluated at least every SharedStorePollInterval: with a shared store a device's answer may reach
            // another instance, which wakes nobody here.
            var poll = left < CommandService.SharedStorePollInterval * 5 ? left : CommandService.SharedStorePollInterval * 5;
            await Task.WhenAny(pulse, Task.Delay(poll, time, wait.Token)).ConfigureAwait(false);
            await wait.CancelAsync().ConfigureAwait(false);
            stopping.ThrowIfCancellationRequested();
        }
    }

    /// <summary>The wave's devices not yet committed, and the first failure (refused, expired or rolled back), if any.</summary>
    private async Task<(List<string> Pending, string? Failure)> EvaluateAsync(Rollout rollout, IReadOnlyList<string> wave, CancellationToken stopping)
    {
        var pending = new List<string>();
        string? failure = null;
        foreach (var device in wave)
        {
            if (rollout.DeviceStates.GetValueOrDefault(device) == "committed")
            {
                continue;
            }

            var record = rollout.DeviceCommands.TryGetValue(device, out var commandId) ? store.Get(commandId) : null;
            var outcome = (await fleet.GetEventsAsync(device, EventsPerDevice, stopping).ConfigureAwait(false))
                .Where(e => e.Type is CommittedEvent or RolledBackEvent
                    && e.Attributes.GetValueOrDefault("version") == rollout.Version
                    && e.CapturedAt >= rollout.StartedAt - ClockSlack)
                .OrderByDescending(e => e.CapturedAt)
                .FirstOrDefault();
            if (outcome?.Type == CommittedEvent)
            {
                rollout.DeviceStates[device] = "committed";
                continue;
            }

            if (outcome?.Type == RolledBackEvent)
            {
                rollout.DeviceStates[device] = "rolled-back";
                failure ??= $"{device}: {outcome.Detail}".TrimEnd();
                continue;
            }

            if (record is { State: CommandState.Failed or CommandState.Expired })
            {
                rollout.DeviceStates[device] = record.State.ToString().ToLowerInvariant();
                failure ??= $"{device}: install-update {record.State.ToString().ToLowerInvariant()} {record.Reason}".TrimEnd();
                continue;
            }

            rollout.DeviceStates[device] = record?.State switch
            {
                CommandState.Succeeded => "installed, on trial",
                { } state => state.ToString().ToLowerInvariant(),
                null => "unknown",
            };
            pending.Add(device);
        }

        return (pending, failure);
    }

    private void Halt(Rollout rollout, string reason)
    {
        lock (rollout)
        {
            if (rollout.State == Running)
            {
                SetHalted(rollout, reason);
            }
        }
    }

    private void SetHalted(Rollout rollout, string reason)
    {
        // Reason first: readers poll State, and a halted rollout must never be seen without its reason.
        rollout.Reason = reason;
        rollout.State = HaltedState;
        store.PutRollout(rollout);
        Log.Halted(logger, rollout.RolloutId, reason);
    }
}
