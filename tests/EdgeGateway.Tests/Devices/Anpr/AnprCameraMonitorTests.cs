using EdgeGateway.Contracts.V1;
using EdgeGateway.Devices.Anpr;
using EdgeGateway.Tests.Devices.Gnss;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Tests.Devices.Anpr;

public sealed class AnprCameraMonitorTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task SilentCamera_RaisesOneFault_ThenResumes()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 6, 0, 0, TimeSpan.Zero));
        var sink = new InMemoryObservationSink();
        var counters = new AnprCounters();
        var options = Options.Create(new AnprOptions { CameraSilenceTimeout = TimeSpan.FromSeconds(30), ExpectedCameras = ["cam-rear"] });
        using var monitor = new AnprCameraMonitor(options, sink, counters, time, NullLogger<AnprCameraMonitor>.Instance);
        await monitor.StartAsync(TestContext.Current.CancellationToken);
        monitor.Seen("cam-front", time.GetUtcNow());

        static bool Silent(Envelope e, string camera) => e.Event?.Type == "anpr.camera_silent" && e.Event.Attributes["camera"] == camera;

        // The expected camera that never sent, and the one that stopped, each fault once.
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.DoesNotContain(sink.Snapshot(), e => e.Event?.Type == "anpr.camera_silent");
        time.Advance(TimeSpan.FromSeconds(2));
        await sink.WaitUntilAsync(e => e.Any(x => Silent(x, "cam-rear")) && e.Any(x => Silent(x, "cam-front")), Timeout);
        time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(2, counters.CameraFaults);
        Assert.Equal(["cam-front", "cam-rear"], monitor.Faulted.Order());

        monitor.Seen("cam-front", time.GetUtcNow());
        var envelopes = await sink.WaitUntilAsync(e => e.Any(x => x.Event?.Type == "anpr.camera_resumed"), Timeout);
        Assert.Equal(PriorityClass.Event, envelopes.Last().Priority);
        Assert.Equal(["cam-rear"], monitor.Faulted);
        await monitor.StopAsync(TestContext.Current.CancellationToken);
    }
}
