using EdgeGateway.Contracts.Tetra;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Devices.Tetra;
using EdgeGateway.Outbox;
using EdgeGateway.Outbox.InMemory;
using EdgeGateway.Tests.Uplink.Drain;
using EdgeGateway.Uplink;
using EdgeGateway.Uplink.Drain;
using EdgeGateway.Uplink.Routing;
using EdgeGateway.Uplink.Tetra;
using Google.Protobuf;

namespace EdgeGateway.Tests.Uplink.Tetra;

/// <summary>
/// TETRA as the drain's fallback bearer, against a real in-memory outbox: it leases only the classes the
/// routing allows, FleetControl's "consumed" report deletes the outbox copy, positions go as LIP at the
/// LIP rate, and when the primary bearer comes back nothing TETRA delivered is sent again.
/// </summary>
public sealed class TetraBearerDrainTests
{
    private const string Device = "car-sds";
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Fallback_EmergencyConsumed_DeletedFromOutbox_BulkAndReadNeverLeased()
    {
        var outbox = new InMemoryOutbox();
        var emergency = Event(PriorityClass.Emergency);
        outbox.Add(emergency);
        var bulk = TestEnvelopes.Message(Device, PriorityClass.Bulk, "evidence");
        var read = TestEnvelopes.Message(Device, PriorityClass.Read, "anpr");
        outbox.Add(bulk);
        outbox.Add(read);
        var sds = new ReportingSds();
        var (loop, bearer, settings, counters) = NewDrain(outbox, sds, TimeSpan.FromSeconds(10));
        using var link = new CancellationTokenSource();

        var run = loop.RunFallbackAsync(bearer, settings.Drain, settings.Classes, link.Token);
        await Eventually.TrueAsync(() => !outbox.Contains(emergency.MessageId), Long, "the emergency acknowledged over TETRA and deleted");

        var sent = Assert.Single(sds.Sends);
        Assert.Equal(("9000", SdsEnvelope.Pid), (sent.Destination, sent.Pid));
        Assert.True(SdsEnvelope.TryDecodeUserData(sent.Payload, out var carried, out _));
        Assert.Equal(emergency.MessageId, carried!.MessageId);
        Assert.True(outbox.Contains(bulk.MessageId));
        Assert.True(outbox.Contains(read.MessageId));
        Assert.Equal(1, counters.EnvelopesStored);
        await StopAsync(link, run);
    }

    [Fact]
    public async Task Fallback_Positions_OneLipPerInterval_OthersDeclinedAndKeptForLte()
    {
        var outbox = new InMemoryOutbox();
        var positions = Enumerable.Range(0, 3).Select(_ => TestEnvelopes.Message(Device)).ToList();
        positions.ForEach(outbox.Add);
        var sds = new ReportingSds();
        var (loop, bearer, settings, counters) = NewDrain(outbox, sds, TimeSpan.FromHours(1));
        using var link = new CancellationTokenSource();

        var run = loop.RunFallbackAsync(bearer, settings.Drain, settings.Classes, link.Token);
        await Eventually.TrueAsync(() => counters.PositionsStored == 1 && counters.DeclinedCount == 2, Long, "one LIP stored, two declined");

        var lip = Assert.Single(sds.Sends);
        Assert.Equal(LipCodec.ProtocolId, lip.Pid);
        Assert.True(LipCodec.TryDecode([LipCodec.ProtocolId, .. lip.Payload], LipCodec.ShortReportBits, out var report));
        var stored = positions.Single(p => !outbox.Contains(p.MessageId));
        var fix = Envelope.Parser.ParseFrom(stored.Envelope.Span).Position;
        Assert.Equal(fix.Latitude, report!.Latitude, tolerance: 2e-5);
        Assert.Equal(fix.Longitude, report.Longitude, tolerance: 2e-5);
        Assert.Equal(2, outbox.Count);
        await StopAsync(link, run);
    }

    [Fact]
    public async Task PrimaryBack_FallbackSettlesFirst_DeliveredEmergencyNotSentAgain_BulkGoesOverPrimary()
    {
        var outbox = new InMemoryOutbox();
        var emergency = Event(PriorityClass.Emergency);
        var bulk = TestEnvelopes.Message(Device, PriorityClass.Bulk, "evidence");
        outbox.Add(emergency);
        outbox.Add(bulk);
        var sds = new ReportingSds { Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var (loop, bearer, settings, _) = NewDrain(outbox, sds, TimeSpan.FromSeconds(10));
        using var tetraLink = new CancellationTokenSource();
        using var mqttLink = new CancellationTokenSource();

        var fallback = loop.RunFallbackAsync(bearer, settings.Drain, settings.Classes, tetraLink.Token);
        await Eventually.TrueAsync(() => sds.Sends.Count == 1, Long, "the emergency handed to the terminal, its report outstanding");

        var mqtt = new RecordingBearer();
        var primary = loop.RunAsync(mqtt, mqttLink.Token); // LTE back while the report is on its way
        sds.Hold.SetResult();
        await fallback.WaitAsync(Long, TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => mqtt.SentMessages >= 1 && loop.State == DrainState.Idle, Long, "the primary bearer drains what TETRA may not carry");

        var batch = Assert.Single(mqtt.Sent);
        Assert.Equal(bulk.MessageId, Assert.Single(batch.Messages).MessageId);
        Assert.False(outbox.Contains(emergency.MessageId));
        await StopAsync(mqttLink, primary);
    }

    private static (DrainLoop Loop, TetraBearer Bearer, TetraUplinkSettings Settings, TetraUplinkCounters Counters) NewDrain(IOutbox outbox, ITetraSds sds, TimeSpan lipInterval)
    {
        var mqttSettings = new DrainSettings(MaxInFlight: 10, MaxLease: 5, MaxBatch: 5, MaxBatchBytes: 256 * 1024, MaxMessagesPerSecond: 100_000, AckTimeout: TimeSpan.FromMinutes(30));
        var loop = new DrainLoop(outbox, mqttSettings, new UplinkCounters(), TimeProvider.System, new TestLogger<DrainLoop>());
        _ = loop.RunAcknowledgementsAsync(TestContext.Current.CancellationToken);
        var settings = TetraUplinkSettings.From(
            new TetraOptions { DispatcherIssi = "9000", SdsMinInterval = TimeSpan.Zero, ReportTimeout = TimeSpan.FromSeconds(30) },
            new RoutingOptions { LipInterval = lipInterval });
        var counters = new TetraUplinkCounters();
        var bearer = new TetraBearer(sds, loop, settings, counters, TimeProvider.System, new TestLogger<TetraBearer>(), TestContext.Current.CancellationToken);
        return (loop, bearer, settings, counters);
    }

    private static OutboxMessage Event(PriorityClass priority)
    {
        var envelope = new Envelope
        {
            MessageId = Guid.CreateVersion7().ToString(),
            DeviceId = Device,
            Stream = "radio",
            Sequence = 1,
            Priority = priority,
            Event = new DeviceEvent { Type = "emergency", Detail = "button" },
        };
        return new OutboxMessage(envelope.MessageId, priority, envelope.Stream, DateTimeOffset.MaxValue, envelope.ToByteArray());
    }

    private static async Task StopAsync(CancellationTokenSource link, Task run)
    {
        await link.CancelAsync();
        await run.WaitAsync(Long, TestContext.Current.CancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
