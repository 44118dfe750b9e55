using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;

namespace EdgeGateway.Uplink.Mqtt;

/// <summary>Adds the link state and the uplink's counters to the periodic health report.</summary>
internal sealed class UplinkHealthContributor(LinkStateMachine link, UplinkCounters counters) : IHealthContributor
{
    public void Contribute(HealthReport report)
    {
        report.LinkState = link.Current;
        report.Counters["uplink.published_messages"] = (ulong)counters.PublishedMessages;
        report.Counters["uplink.published_batches"] = (ulong)counters.PublishedBatches;
        report.Counters["uplink.acknowledged"] = (ulong)counters.Acknowledged;
        report.Counters["uplink.publish_failures"] = (ulong)counters.PublishFailures;
        report.Counters["uplink.ack_timeouts"] = (ulong)counters.AckTimeouts;
        report.Counters["uplink.reconnects"] = (ulong)counters.Reconnects;
        report.Counters["uplink.skipped_expired"] = (ulong)counters.SkippedExpired;
        if (counters.LastConnectedAt is { } at)
        {
            report.Counters["uplink.last_connected_unix_seconds"] = (ulong)at.ToUnixTimeSeconds();
        }
    }
}
