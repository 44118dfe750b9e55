using EdgeGateway.Contracts.Tetra;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Tests.Devices.Gnss;
using EdgeGateway.Tests.Uplink.Tetra;
using EdgeGateway.Uplink.Routing;
using EdgeGateway.Uplink.Tetra;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeGateway.Tests.Uplink.Routing;

/// <summary>Emergency over every available bearer at once: the outbox copy plus a TETRA copy while the IP link is up.</summary>
public sealed class SdsCopySinkTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Emergency_IpLinkUp_StoredInTheOutboxAndCopiedOverTetraOnce()
    {
        var outbox = new InMemoryObservationSink();
        var sds = new ReportingSds();
        var counters = new TetraUplinkCounters();
        await using var sink = Sink(outbox, sds, ipLinkUp: true, counters);

        var emergency = Draft(PriorityClass.Emergency);
        Assert.Equal(EnqueueResult.Accepted, await sink.AcceptAsync(emergency, TestContext.Current.CancellationToken));
        await Eventually.TrueAsync(() => counters.CopiesSent == 1, Bound, "the TETRA copy was sent");

        var stored = Assert.Single(outbox.Snapshot());
        var send = Assert.Single(sds.Sends);
        Assert.Equal("9000", send.Destination);
        Assert.Equal(SdsEnvelope.Pid, send.Pid);
        // The copy is the stored envelope itself (same message id), so FleetControl keeps one of the two.
        Assert.Equal(stored.MessageId, Envelope.Parser.ParseFrom(send.Payload.AsSpan(1)).MessageId);
    }

    [Theory]
    [InlineData(PriorityClass.Emergency, false, true)] // IP link down: the drain itself runs on TETRA, no copy
    [InlineData(PriorityClass.Emergency, true, false)] // no terminal registered
    [InlineData(PriorityClass.Alert, true, true)] // WhenLteDown by default: no copy while LTE is up
    [InlineData(PriorityClass.Telemetry, true, true)]
    public async Task NoCopy_UnlessAlwaysRoutedWithTheIpLinkUpAndATerminal(PriorityClass priority, bool ipLinkUp, bool terminal)
    {
        var outbox = new InMemoryObservationSink();
        var sds = new ReportingSds { IsAvailable = terminal };
        var counters = new TetraUplinkCounters();
        await using var sink = Sink(outbox, sds, ipLinkUp, counters);

        await sink.AcceptAsync(Draft(priority), TestContext.Current.CancellationToken);

        Assert.Single(outbox.Snapshot());
        Assert.Empty(sds.Sends);
        Assert.Equal(0, counters.CopiesSent);
    }

    private static SdsCopySink Sink(InMemoryObservationSink outbox, ReportingSds sds, bool ipLinkUp, TetraUplinkCounters counters) =>
        new(outbox, new Lazy<EdgeGateway.Devices.Tetra.ITetraSds>(() => sds), new BearerRoutingPolicy(new RoutingOptions()), () => ipLinkUp, "9000", counters, NullLogger.Instance);

    private static Envelope Draft(PriorityClass priority) => new()
    {
        MessageId = Guid.CreateVersion7().ToString(),
        DeviceId = "vehicle-01",
        Stream = "tetra",
        Priority = priority,
        Event = new DeviceEvent { Type = "emergency", Detail = "button" },
    };
}
