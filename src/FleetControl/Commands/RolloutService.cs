using System.Collections.Concurrent;

namespace FleetControl.Commands;

/// <summary>
/// Staged group rollouts: the first stage's devices get the configuration; only when every one of them
/// reports it applied does the rest of the group get it. The first failure (rejection or expiry) stops
/// the rollout: later stages are not sent. Rollouts are tracked in memory (the per-device desired and
/// reported versions they produce are durable in the command store).
/// </summary>
internal sealed class RolloutService(ConfigurationService configurations, CommandService commands, TimeProvider time, ILogger<RolloutService> logger)
{
    private readonly ConcurrentDictionary<string, Rollout> _rollouts = new(StringComparer.Ordinal);

    /// <summary>Every rollout since start, newest first.</summary>
    public IReadOnlyList<Rollout> List() => _rollouts.Values.OrderByDescending(r => r.RolloutId, StringComparer.Ordinal).ToList();

    public Rollout? Get(string rolloutId) => _rollouts.GetValueOrDefault(rolloutId);

    /// <summary>Starts a rollout and returns at once; it runs until it completes or stops.</summary>
    public Rollout Start(string group, IReadOnlyList<string> devices, string json, int firstStageSize, TimeSpan? timeToLive, CancellationToken stopping)
    {
        var rollout = new Rollout
        {
            RolloutId = Guid.CreateVersion7(time.GetUtcNow()).ToString("N"),
            Group = group,
            Devices = devices,
            Json = json,
            FirstStageSize = Math.Clamp(firstStageSize, 1, Math.Max(1, devices.Count)),
            StartedAt = time.GetUtcNow(),
        };
        _rollouts[rollout.RolloutId] = rollout;
        _ = RunAsync(rollout, timeToLive, stopping);
        return rollout;
    }

    private async Task RunAsync(Rollout rollout, TimeSpan? timeToLive, CancellationToken stopping)
    {
        try
        {
            var stages = new[] { rollout.Devices.Take(rollout.FirstStageSize).ToList(), rollout.Devices.Skip(rollout.FirstStageSize).ToList() };
            for (var i = 0; i < stages.Length; i++)
            {
                if (stages[i].Count == 0)
                {
                    continue;
                }

                rollout.Stage = i + 1;
                Log.Rollout(logger, rollout.RolloutId, $"stage {i + 1}: {string.Join(", ", stages[i])}");
                var sent = new List<(string Device, string CommandId)>();
                foreach (var device in stages[i])
                {
                    var (_, command) = await configurations.SetDesiredAsync(device, rollout.Json, timeToLive, stopping).ConfigureAwait(false);
                    rollout.DeviceStates[device] = command.State.ToString();
                    sent.Add((device, command.CommandId));
                }

                // Each wait ends when its command is final; commands expire, so this always ends.
                var results = await Task.WhenAll(sent.Select(async s => (s.Device, Record: await commands.WaitFinalAsync(s.CommandId, stopping).ConfigureAwait(false))))
                    .ConfigureAwait(false);
                foreach (var (device, record) in results)
                {
                    rollout.DeviceStates[device] = record?.State.ToString() ?? "unknown";
                }

                var failed = results.FirstOrDefault(r => r.Record is null || r.Record.State != CommandState.Succeeded);
                if (failed.Device is not null)
                {
                    // Reason first: readers poll State, and a "stopped" rollout must never be seen without its reason.
                    rollout.Reason = $"{failed.Device}: {failed.Record?.State} {failed.Record?.Reason}".TrimEnd();
                    rollout.State = "stopped";
                    Log.Rollout(logger, rollout.RolloutId, "stopped, " + rollout.Reason);
                    return;
                }
            }

            rollout.State = "completed";
            Log.Rollout(logger, rollout.RolloutId, "completed");
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            rollout.Reason = "FleetControl stopped";
            rollout.State = "stopped";
        }
    }
}
