using FleetControl.Store;

namespace FleetControl.Api;

/// <summary>One point of a device's health history (<c>GET /api/devices/{id}/health</c>): the figures the chart draws.</summary>
internal sealed record HealthSampleDto(
    DateTimeOffset At,
    string LinkState,
    string Durability,
    ulong Backlog,
    ulong OldestUnsentAgeMs,
    ulong FreeDiskBytes,
    ulong AcceptedTotal,
    ulong AcknowledgedTotal)
{
    public static HealthSampleDto From(HealthSample sample)
    {
        var r = sample.Report;
        ulong backlog = 0, oldest = 0;
        foreach (var queue in r.Queues)
        {
            backlog += queue.Depth;
            oldest = Math.Max(oldest, queue.OldestUnsentAgeMs);
        }

        return new HealthSampleDto(sample.CapturedAt, r.LinkState.ToString(), r.Durability.ToString(), backlog, oldest, r.FreeDiskBytes, r.AcceptedTotal, r.AcknowledgedTotal);
    }
}
