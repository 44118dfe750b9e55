using EdgeGateway.Contracts.Metrics;
using EdgeGateway.Contracts.V1;

namespace EdgeGateway.Health.Metrics;

/// <summary>
/// Renders a fresh <see cref="HealthReport"/> (the same one FleetControl receives over MQTT) and the process's
/// runtime figures in the Prometheus text format. Built on request only, so an unscraped gateway pays
/// nothing; every counter a health contributor adds appears without code here.
/// </summary>
internal static class PrometheusText
{
    public static string Render(HealthReport report, DateTimeOffset now)
    {
        var w = new PrometheusWriter();
        w.Metric("edgegateway_info", "gauge", "Software version", [(PrometheusWriter.Labels(("version", report.SoftwareVersion)), 1)]);
        w.Metric("edgegateway_link_state", "gauge", "Uplink state: 1 for the current state",
            Enum.GetValues<LinkState>().Where(s => s != LinkState.Unspecified).Select(s => (PrometheusWriter.Labels(("state", Name(s))), report.LinkState == s ? 1d : 0d)));
        w.Metric("edgegateway_durability_state", "gauge", "Store durability: 1 for the current state",
            Enum.GetValues<DurabilityState>().Where(s => s != DurabilityState.Unspecified).Select(s => (PrometheusWriter.Labels(("state", Name(s))), report.Durability == s ? 1d : 0d)));
        w.Metric("edgegateway_backlog_messages", "gauge", "Messages waiting in the outbox, per priority class",
            report.Queues.Select(q => (Class(q.Priority), (double)q.Depth)));
        w.Metric("edgegateway_backlog_bytes", "gauge", "Bytes waiting in the outbox, per priority class",
            report.Queues.Select(q => (Class(q.Priority), (double)q.Bytes)));
        w.Metric("edgegateway_oldest_unsent_age_seconds", "gauge", "Age of the oldest unsent message, per priority class (0 when empty)",
            report.Queues.Select(q => (Class(q.Priority), q.OldestUnsentAgeMs / 1000d)));
        w.Metric("edgegateway_dropped_messages_total", "counter", "Messages dropped (expired, evicted, refused, thinned), per class and reason",
            report.Drops.Select(d => (PrometheusWriter.Labels(("class", Name(d.Priority)), ("reason", d.Reason)), (double)d.Count)));
        w.Metric("edgegateway_accepted_messages_total", "counter", "Messages accepted into the outbox", report.AcceptedTotal);
        w.Metric("edgegateway_acknowledged_messages_total", "counter", "Messages FleetControl confirmed it stored (rate() of this is the drain rate)", report.AcknowledgedTotal);
        w.Metric("edgegateway_free_disk_bytes", "gauge", "Free space on the data directory's file system", report.FreeDiskBytes);
        foreach (var (key, value) in report.Counters.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            // Contributors' own figures (GNSS fix and satellites, evidence queue, uplink counters, ...).
            w.Metric("edgegateway_" + PrometheusWriter.Sanitise(key), "untyped", $"Health report counter '{key}'", value);
        }

        w.Runtime(now);
        return w.ToString();
    }

    private static string Class(PriorityClass priority) => PrometheusWriter.Labels(("class", Name(priority)));

    // PriorityClass.Telemetry -> telemetry, LinkState.Connected -> connected.
    private static string Name<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();
}
