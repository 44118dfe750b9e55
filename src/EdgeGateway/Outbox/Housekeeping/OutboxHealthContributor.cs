using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;

namespace EdgeGateway.Outbox.Housekeeping;

/// <summary>Adds queue depths, drops, durability and disk figures to the periodic health report.</summary>
internal sealed class OutboxHealthContributor : IHealthContributor
{
    private readonly LiteDbOutbox _outbox;

    public OutboxHealthContributor(LiteDbOutbox outbox)
    {
        _outbox = outbox;
    }

    public void Contribute(HealthReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var statistics = _outbox.CurrentStatistics;
        report.Durability = statistics.Durability;
        foreach (var queue in statistics.Classes)
        {
            report.Queues.Add(new QueueClassStats
            {
                Priority = queue.Priority,
                Depth = (ulong)Math.Max(0, queue.Depth),
                Bytes = (ulong)Math.Max(0, queue.Bytes),
                OldestUnsentAgeMs = (ulong)Math.Max(0, queue.OldestUnsentAgeMs),
                QuotaBytes = (ulong)Math.Max(0, queue.QuotaBytes),
            });
        }

        foreach (var drop in statistics.Drops)
        {
            report.Drops.Add(new DropCount { Priority = drop.Priority, Reason = drop.Reason, Count = drop.Count });
        }

        report.AcceptedTotal = statistics.AcceptedTotal;
        report.AcknowledgedTotal = statistics.AcknowledgedTotal;
        report.FreeDiskBytes = (ulong)Math.Max(0, statistics.FreeDiskBytes);
        report.Counters["outbox_leased"] = (ulong)statistics.Leased;
        report.Counters["outbox_disk_full"] = statistics.DiskFull ? 1UL : 0UL;
        report.Counters["outbox_store_open"] = statistics.StoreOpen ? 1UL : 0UL;
        report.Counters["outbox_data_file_bytes"] = (ulong)statistics.DataFileBytes;
        report.Counters["outbox_log_file_bytes"] = (ulong)statistics.LogFileBytes;
    }
}
