using System.Globalization;

namespace EdgeGateway.EndToEnd.Tests;

/// <summary>The gateway's opt-in Prometheus endpoint, scraped from a real vehicle gateway that is draining to FleetControl.</summary>
public sealed class GatewayMetricsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Gateway_MetricsEnabled_ServesLinkBacklogDrainAndGnssFigures()
    {
        var port = FreePort.Next();
        await using var system = await SystemUnderTest.StartAsync();
        await system.StartVehicleAsync("car-metrics", settings: new Dictionary<string, string>
        {
            ["Metrics:Enabled"] = "true",
            ["Metrics:Port"] = port.ToString(CultureInfo.InvariantCulture),
        });
        await Eventually.WaitAsync(ct => system.PositionsAsync("car-metrics", ct), p => p.Count >= 5, Patience, "positions are stored");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        var text = await Eventually.WaitAsync(
            ct => http.GetStringAsync("/metrics", ct),
            t => t.Contains("edgegateway_link_state{state=\"connected\"} 1\n", StringComparison.Ordinal)
                && Sample(t, "edgegateway_acknowledged_messages_total") >= 5,
            Patience,
            "the scrape shows a connected link and acknowledged messages");

        Assert.Contains("edgegateway_backlog_messages{class=\"telemetry\"}", text, StringComparison.Ordinal);
        Assert.Contains("edgegateway_oldest_unsent_age_seconds{class=\"telemetry\"}", text, StringComparison.Ordinal);
        Assert.True(Sample(text, "edgegateway_gnss_last_fix_satellites") > 0, "GNSS satellites in the scrape");
        Assert.True(Sample(text, "process_resident_memory_bytes") > 0, "runtime figures in the scrape");

        using var other = await http.GetAsync("/", TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, other.StatusCode);
    }

    private static double Sample(string text, string name) =>
        text.Split('\n').Where(l => l.StartsWith(name + " ", StringComparison.Ordinal))
            .Select(l => double.Parse(l[(name.Length + 1)..], CultureInfo.InvariantCulture))
            .DefaultIfEmpty(-1).First();
}
