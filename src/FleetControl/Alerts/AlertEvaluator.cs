using EdgeGateway.Contracts.V1;
using FleetControl.Store;
using Microsoft.Extensions.Options;

namespace FleetControl.Alerts;

/// <summary>
/// Condition rules, evaluated over every device each <see cref="AlertOptions.EvaluationInterval"/>: offline
/// (or silent) too long, oldest unsent message too old, durability degraded, dock transfers failing, clock off by more
/// than <see cref="AlertOptions.ClockOffsetThreshold"/> (<see cref="ClockOffsetTracker"/>). An alert
/// whose condition no longer holds is resolved.
/// </summary>
internal sealed class AlertEvaluator(IFleetStore fleet, AlertService alerts, AlertStore store, ClockOffsetTracker clocks, TimeProvider time, IOptions<AlertOptions> options, ILogger<AlertEvaluator> logger)
    : BackgroundService
{
    private readonly AlertOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.EvaluationInterval, time);
        try
        {
            do
            {
                try
                {
                    await EvaluateAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.EvaluationFailed(logger, ex);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>One pass over every device.</summary>
    internal async Task EvaluateAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var devices = await fleet.GetDevicesAsync(cancellationToken).ConfigureAwait(false);
        var raised = new HashSet<string>(StringComparer.Ordinal);

        foreach (var device in devices)
        {
            var id = device.DeviceId;
            var silentFor = device.LastSeen is { } seen ? now - seen : TimeSpan.Zero;
            if (device.LastSeen is not null && silentFor > _options.OfflineAfter)
            {
                Raise(raised, AlertRules.Offline, id, "major", $"{id} not seen for {Minutes(silentFor)} (threshold {Minutes(_options.OfflineAfter)})");
            }

            if (device.Health is { } health)
            {
                var oldest = health.Queues.Count == 0 ? null : health.Queues.MaxBy(q => q.OldestUnsentAgeMs);
                if (oldest is not null && TimeSpan.FromMilliseconds(oldest.OldestUnsentAgeMs) > _options.BacklogAgeThreshold)
                {
                    Raise(raised, AlertRules.BacklogAge, id, "major",
                        $"{id}: oldest unsent {oldest.Priority} message is {Minutes(TimeSpan.FromMilliseconds(oldest.OldestUnsentAgeMs))} old (threshold {Minutes(_options.BacklogAgeThreshold)})");
                }

                if (health.Durability == DurabilityState.Degraded)
                {
                    Raise(raised, AlertRules.DurabilityDegraded, id, "critical", $"{id}: durable store degraded (quarantined at start-up)");
                }
            }

            if (device.Dock is { } dock)
            {
                var failed = dock.Bays.SelectMany(b => b.Transfers).Count(t => t.State == "failed");
                if (failed >= _options.DockFailureThreshold)
                {
                    Raise(raised, AlertRules.DockTransferFailing, id, "major", $"{id}: {failed} dock transfers failed");
                }
            }
        }

        foreach (var id in clocks.Devices)
        {
            if (clocks.OffsetOf(id) is { } offset && offset.Duration() > clocks.Threshold)
            {
                Raise(raised, AlertRules.ClockOffset, id, "major",
                    $"{id}: clock is {offset.Duration().TotalSeconds:F1} s {(offset > TimeSpan.Zero ? "fast" : "slow")} (threshold {clocks.Threshold.TotalSeconds:F1} s)");
            }
        }

        foreach (var rule in new[] { AlertRules.Offline, AlertRules.BacklogAge, AlertRules.DurabilityDegraded, AlertRules.DockTransferFailing, AlertRules.ClockOffset })
        {
            foreach (var alertId in store.ActiveIds(rule).Where(a => !raised.Contains(a)))
            {
                alerts.Resolve(alertId, "condition cleared");
            }
        }
    }

    private void Raise(HashSet<string> raised, string rule, string deviceId, string severity, string message)
    {
        raised.Add($"{rule}:{deviceId}");
        alerts.Raise(rule, deviceId, deviceId, severity, message);
    }

    private static string Minutes(TimeSpan span) => span.TotalMinutes >= 1 ? $"{span.TotalMinutes:F0} min" : $"{span.TotalSeconds:F0} s";
}
