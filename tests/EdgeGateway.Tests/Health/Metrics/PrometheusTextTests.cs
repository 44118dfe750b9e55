using EdgeGateway.Contracts.V1;
using EdgeGateway.Health.Metrics;

namespace EdgeGateway.Tests.Health.Metrics;

public sealed class PrometheusTextTests
{
    [Fact]
    public void Render_HealthReport_EveryFigureAsASample()
    {
        var report = new HealthReport
        {
            LinkState = LinkState.Degraded,
            Durability = DurabilityState.Ok,
            AcceptedTotal = 120,
            AcknowledgedTotal = 100,
            FreeDiskBytes = 5_000_000,
            SoftwareVersion = "1.2.3",
        };
        report.Queues.Add(new QueueClassStats { Priority = PriorityClass.Telemetry, Depth = 20, Bytes = 4096, OldestUnsentAgeMs = 1500 });
        report.Drops.Add(new DropCount { Priority = PriorityClass.Telemetry, Reason = "expired", Count = 3 });
        report.Counters["gnss.satellites_used"] = 9;

        var text = PrometheusText.Render(report, DateTimeOffset.UnixEpoch);

        Assert.Contains("edgegateway_link_state{state=\"degraded\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("edgegateway_link_state{state=\"connected\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("edgegateway_backlog_messages{class=\"telemetry\"} 20\n", text, StringComparison.Ordinal);
        Assert.Contains("edgegateway_oldest_unsent_age_seconds{class=\"telemetry\"} 1.5\n", text, StringComparison.Ordinal);
        Assert.Contains("edgegateway_dropped_messages_total{class=\"telemetry\",reason=\"expired\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("edgegateway_acknowledged_messages_total 100\n", text, StringComparison.Ordinal);
        Assert.Contains("edgegateway_gnss_satellites_used 9\n", text, StringComparison.Ordinal);
        Assert.Contains("edgegateway_info{version=\"1.2.3\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE process_resident_memory_bytes gauge\n", text, StringComparison.Ordinal);

        // Exposition format: every line is a comment or "name[{labels}] value".
        Assert.All(text.TrimEnd('\n').Split('\n'), line => Assert.Matches(@"^(# (HELP|TYPE) [a-z_:][a-z0-9_:]* .+|[a-z_:][a-z0-9_:]*(\{[^}]*\})? -?[0-9.eE+-]+|NaN)$", line));
    }
}
