using System.Text.Json;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Health;
using EdgeGateway.Hosting;
using EdgeGateway.Tests.Uplink;
using EdgeGateway.Uplink;
using EdgeGateway.Uplink.Mqtt;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Tests.Health;

public sealed class HealthReporterTests
{
    [Fact]
    public async Task ReportOnceAsync_Send_WritesFileAtomicallyAndEnqueuesReport()
    {
        using var data = new TempDirectory();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 18, 0, 0, TimeSpan.Zero));
        var link = new LinkStateMachine(new TestLogger<LinkStateMachine>(), time);
        link.Fire(LinkTrigger.Connected, "test");
        var counters = new UplinkCounters();
        counters.Connected(time.GetUtcNow(), isReconnect: false);
        counters.Connected(time.GetUtcNow(), isReconnect: true);
        counters.Published(10);
        var sink = new CapturingSink();
        var logger = new TestLogger<HealthReporter>();
        var reporter = Create(data.Path, sink, time, logger, new UplinkHealthContributor(link, counters), new ThrowingContributor(), new CounterContributor());

        await reporter.ReportOnceAsync(send: true, TestContext.Current.CancellationToken);

        var draft = Assert.Single(sink.Drafts);
        Assert.Equal("health", draft.Stream);
        Assert.Equal(PriorityClass.Telemetry, draft.Priority);
        Assert.Equal(time.GetUtcNow(), draft.CapturedAt.ToDateTimeOffset());
        Assert.Equal(LinkState.Connected, draft.Health.LinkState);
        Assert.Equal(1ul, draft.Health.Counters["uplink.reconnects"]);
        Assert.Equal(10ul, draft.Health.Counters["uplink.published_messages"]);
        Assert.Equal(7ul, draft.Health.Counters["gnss.rejected"]);
        Assert.False(string.IsNullOrEmpty(draft.Health.SoftwareVersion));
        Assert.Contains(logger.Entries, e => e.Id.Id == 2300 && e.Message.Contains(nameof(ThrowingContributor), StringComparison.Ordinal));

        var path = Path.Combine(data.Path, "health.json");
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken));
        Assert.Equal("car-7", json.RootElement.GetProperty("deviceId").GetString());
        Assert.Equal("2026-11-23T18:00:00.0000000Z", json.RootElement.GetProperty("writtenAt").GetString());
        var report = json.RootElement.GetProperty("report");
        Assert.Equal("LINK_STATE_CONNECTED", report.GetProperty("linkState").GetString());
        Assert.Equal("1", report.GetProperty("counters").GetProperty("uplink.reconnects").GetString());
        Assert.Equal(["health.json"], Directory.GetFiles(data.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task ExecuteAsync_ThirtySecondsPass_FileEveryTickReportEveryInterval()
    {
        using var data = new TempDirectory();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 18, 0, 0, TimeSpan.Zero));
        var sink = new CapturingSink();
        var reporter = Create(data.Path, sink, time, new TestLogger<HealthReporter>(), new CounterContributor());
        var path = Path.Combine(data.Path, "health.json");

        await reporter.StartAsync(TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => sink.Drafts.Count == 1 && File.Exists(path), TimeSpan.FromSeconds(10), "first report at start");
        for (var tick = 1; tick <= 6; tick++)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            var expected = time.GetUtcNow().UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
            await Eventually.TrueAsync(() => ReadWrittenAt(path) == expected, TimeSpan.FromSeconds(10), $"file rewritten at tick {tick}");
        }

        await Eventually.TrueAsync(() => sink.Drafts.Count >= 2, TimeSpan.FromSeconds(10), "second report after 30 s");
        await reporter.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(2, sink.Drafts.Count);
    }

    private static string? ReadWrittenAt(string path)
    {
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(path));
            return json.RootElement.GetProperty("writtenAt").GetString();
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static HealthReporter Create(string dataDirectory, IObservationSink sink, TimeProvider time, TestLogger<HealthReporter> logger, params IHealthContributor[] contributors) =>
        new(
            contributors,
            sink,
            Options.Create(new HealthOptions { ReportInterval = TimeSpan.FromSeconds(30), FileInterval = TimeSpan.FromSeconds(5) }),
            Options.Create(new GatewayOptions { DeviceId = "car-7", DataDirectory = dataDirectory }),
            time,
            logger);

    private sealed class ThrowingContributor : IHealthContributor
    {
        public void Contribute(HealthReport report) => throw new InvalidOperationException("broken adapter");
    }

    private sealed class CounterContributor : IHealthContributor
    {
        public void Contribute(HealthReport report) => report.Counters["gnss.rejected"] = 7;
    }
}
