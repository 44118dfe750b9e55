using EdgeGateway.Contracts.Tetra;
using EdgeGateway.Contracts.V1;
using FleetControl.Ingest;
using FleetControl.Tetra;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FleetControl.Tests.Tetra;

/// <summary>What FleetControl's TETRA gateway does with each line from the network.</summary>
public sealed class TetraGatewayServiceTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private readonly IngestQueue _queue = new();
    private readonly IngestStats _ingestStats = new();
    private readonly TetraGatewayStats _stats = new();
    private readonly List<string> _sent = [];
    private readonly TetraGatewayService _service;

    public TetraGatewayServiceTests()
    {
        var options = new TetraGatewayOptions { Enabled = true, Issi = "9000" };
        options.Terminals["1001"] = "car-1";
        _service = new TetraGatewayService(Options.Create(options), _queue, _ingestStats, _stats, NullLogger<TetraGatewayService>.Instance);
    }

    [Fact]
    public async Task EnvelopeFromItsTerminal_GoesToIngest_ConsumedReportOnlyAfterTheCommit()
    {
        await OnLineAsync(Line("1001", "9000", Envelope("m-1", "car-1"), reference: 17));

        Assert.True(_queue.Reader.TryRead(out var batch));
        Assert.Equal("car-1", batch!.DeviceId);
        Assert.Equal("m-1", Assert.Single(batch.Envelopes).MessageId);
        Assert.Empty(_sent); // not stored yet: no report

        await batch.CompleteAsync!(TestContext.Current.CancellationToken).WaitAsync(Bound, TestContext.Current.CancellationToken);

        var report = Assert.Single(_sent);
        Assert.True(SwmiLink.TryParse(report, out var calling, out var called, out var data));
        Assert.Equal(("9000", "1001"), (calling, called));
        Assert.True(SdsTl.TryDecode(data, out var pdu));
        Assert.Equal(SdsTlMessageType.Report, pdu!.Type);
        Assert.Equal(17, pdu.MessageReference);
        Assert.Equal(TetraGatewayService.ConsumedStatus, pdu.DeliveryStatus);
        Assert.Equal(1, _stats.Stored);
    }

    [Theory]
    [InlineData("1002", "car-1")]   // unknown terminal
    [InlineData("1001", "car-2")]   // a terminal speaking for another device
    public async Task EnvelopeFromTheWrongTerminal_IsRefusedAndReported(string calling, string deviceId)
    {
        await OnLineAsync(Line(calling, "9000", Envelope("m-2", deviceId), reference: 3));

        Assert.False(_queue.Reader.TryRead(out _));
        Assert.True(SwmiLink.TryParse(Assert.Single(_sent), out _, out _, out var data));
        Assert.True(SdsTl.TryDecode(data, out var pdu));
        Assert.Equal(TetraGatewayService.RefusedStatus, pdu!.DeliveryStatus);
        Assert.Equal(1, _stats.Refused);
        Assert.Equal(1, _ingestStats.RejectedEnvelopes);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("SDS 1001 9000 C80401")]          // SDS-TL header, no envelope bytes
    [InlineData("SDS 1001 9000 C80401FFFF")]      // not an envelope
    public async Task Garbage_IsCountedNothingStored(string line)
    {
        await OnLineAsync(line);

        Assert.False(_queue.Reader.TryRead(out _));
        Assert.Equal(1, _stats.Refused);
    }

    [Fact]
    public async Task OtherAddresseeOrProtocol_IsIgnored()
    {
        await OnLineAsync(Line("1001", "9001", Envelope("m-3", "car-1"), reference: 1));
        await OnLineAsync(SwmiLink.Format("1001", "9000", SdsTl.EncodeTransfer(SdsTl.TextMessagingPid, 1, 0, [0x01, 0x41])));

        Assert.False(_queue.Reader.TryRead(out _));
        Assert.Equal(2, _stats.Ignored);
    }

    [Fact]
    public async Task LipShortReportWithReference_BecomesAPosition_ReportCarriesTheReferenceAfterTheCommit()
    {
        var lip = LipCodec.Encode(LipCodec.FromPosition(51.79549, -0.07795, speedMetresPerSecond: 13.9, trackDegrees: 90));
        Assert.True(LipCodec.TrySetUserData(lip, 42));

        await OnLineAsync(SwmiLink.Format("1001", "9000", lip));

        Assert.True(_queue.Reader.TryRead(out var batch));
        var envelope = Assert.Single(batch!.Envelopes);
        Assert.Equal(("car-1", TetraGatewayService.LipStream, PriorityClass.Telemetry), (envelope.DeviceId, envelope.Stream, envelope.Priority));
        Assert.Equal(51.79549, envelope.Position.Latitude, tolerance: 2e-5);
        Assert.Equal(-0.07795, envelope.Position.Longitude, tolerance: 2e-5);
        Assert.Equal(90, envelope.Position.TrackDeg);
        Assert.Null(EnvelopeValidator.Validate(envelope, "car-1"));
        Assert.Empty(_sent);

        await batch.CompleteAsync!(TestContext.Current.CancellationToken).WaitAsync(Bound, TestContext.Current.CancellationToken);

        Assert.True(SwmiLink.TryParse(Assert.Single(_sent), out _, out var called, out var data));
        Assert.Equal("1001", called);
        Assert.True(SdsTl.TryDecode(data, out var pdu));
        Assert.Equal((42, TetraGatewayService.ConsumedStatus), (pdu!.MessageReference, pdu.DeliveryStatus));
        Assert.Equal(1, _stats.Positions);
    }

    [Fact]
    public async Task LipWithoutReference_StoredWithoutReport_UnknownTerminalRefused()
    {
        var lip = LipCodec.Encode(LipCodec.FromPosition(51.5, -0.1, null, null));
        await OnLineAsync(SwmiLink.Format("1001", "9000", lip));
        await OnLineAsync(SwmiLink.Format("1077", "9000", lip));

        Assert.True(_queue.Reader.TryRead(out var batch));
        await batch!.CompleteAsync!(TestContext.Current.CancellationToken).WaitAsync(Bound, TestContext.Current.CancellationToken);
        Assert.False(_queue.Reader.TryRead(out _));
        Assert.Empty(_sent);
        Assert.Equal(1, _stats.Refused);
    }

    [Theory]
    [InlineData(0x8003, "tetra.status", PriorityClass.Event)]
    [InlineData(0x0000, "tetra.emergency", PriorityClass.Emergency)]
    public async Task StatusFromItsTerminal_BecomesAnEvent(int status, string type, PriorityClass priority)
    {
        await OnLineAsync(SwmiLink.FormatStatus("1001", "9000", (ushort)status));

        Assert.True(_queue.Reader.TryRead(out var batch));
        var envelope = Assert.Single(batch!.Envelopes);
        Assert.Equal((type, priority, TetraGatewayService.StatusStream), (envelope.Event.Type, envelope.Priority, envelope.Stream));
        Assert.Equal(status.ToString(System.Globalization.CultureInfo.InvariantCulture), envelope.Event.Attributes["status"]);
    }

    private Task OnLineAsync(string line) => _service.OnLineAsync(line, (text, _) =>
    {
        lock (_sent)
        {
            _sent.Add(text);
        }

        return Task.CompletedTask;
    }, TestContext.Current.CancellationToken);

    private static string Line(string calling, string called, Envelope envelope, byte reference) =>
        SwmiLink.Format(calling, called, SdsTl.EncodeTransfer(SdsEnvelope.Pid, reference, 1, SdsEnvelope.TryEncodeUserData(envelope)));

    private static Envelope Envelope(string id, string deviceId) => new()
    {
        MessageId = id,
        DeviceId = deviceId,
        Stream = "radio",
        Sequence = 1,
        Priority = PriorityClass.Emergency,
        Event = new DeviceEvent { Type = "emergency" },
    };
}
