using System.Text;
using EdgeGateway.Contracts.Tetra;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Devices.Tetra;
using EdgeGateway.Simulators.Modem;

namespace EdgeGateway.Tests.Devices.Tetra;

/// <summary>The PEI adapter against the simulated terminal over a real pty.</summary>
public sealed class TetraAdapterTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task EmergencyButton_BecomesOneEmergencyEnvelope_AndRaisesTheEvent()
    {
        await using var harness = new TetraTerminalHarness();
        var raised = new TaskCompletionSource<RadioEmergency>(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Adapter.EmergencyRaised += e => raised.TrySetResult(e);
        await harness.StartAsync();

        harness.Terminal.PressEmergency();

        var envelopes = await harness.Sink.WaitUntilAsync(e => e.Any(x => x.Priority == PriorityClass.Emergency), Bound);
        var emergency = Assert.Single(envelopes, e => e.Priority == PriorityClass.Emergency);
        Assert.Equal(TetraAdapter.StreamName, emergency.Stream);
        Assert.Equal("emergency", emergency.Event.Type);
        Assert.Equal("1001", emergency.Event.Attributes["from"]);
        var seen = await raised.Task.WaitAsync(Bound, TestContext.Current.CancellationToken);
        Assert.Equal("tetra", seen.Source);
        Assert.Equal(0, seen.StatusValue);
        Assert.Equal(1, harness.Counters.Emergencies);
    }

    [Fact]
    public async Task OtherStatus_IsAnEventNotAnEmergency()
    {
        await using var harness = new TetraTerminalHarness();
        await harness.StartAsync();

        harness.Terminal.PressEmergency(0x8002);

        var envelopes = await harness.Sink.WaitUntilAsync(e => e.Count > 0, Bound);
        var status = Assert.Single(envelopes);
        Assert.Equal(PriorityClass.Event, status.Priority);
        Assert.Equal("radio-status", status.Event.Type);
        Assert.Equal("32770", status.Event.Attributes["status"]);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(false, false)]
    public async Task Send_WithReportRequested_CompletesOnTheMatchingReport(bool echo, bool prompt)
    {
        await using var harness = new TetraTerminalHarness(
            new TetraTerminalOptions { Echo = echo, Prompt = prompt, ReplyDelay = TimeSpan.FromMilliseconds(5), AirTime = TimeSpan.Zero },
            o => o.AwaitPrompt = prompt);
        var sent = new TaskCompletionSource<(string, byte[])>(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Terminal.SdsSent += (destination, data) =>
        {
            sent.TrySetResult((destination, data));
            // The addressee stored it: a report with the transfer's reference comes back.
            harness.Terminal.DeliverSds(destination, SdsTl.EncodeReport(data[0], data[2], 0x02));
        };
        await harness.StartAsync();

        var result = await harness.Adapter.SendAsync("9000", SdsEnvelope.Pid, new byte[] { 1, 2, 3 }, requestReport: true, urgent: true, TestContext.Current.CancellationToken).WaitAsync(Bound, TestContext.Current.CancellationToken);

        Assert.Equal(SdsSendOutcome.Delivered, result.Outcome);
        Assert.Equal(0x02, result.DeliveryStatus);
        var (destination, data) = await sent.Task.WaitAsync(Bound, TestContext.Current.CancellationToken);
        Assert.Equal("9000", destination);
        Assert.True(SdsTl.TryDecode(data, out var transfer));
        Assert.Equal(SdsEnvelope.Pid, transfer!.ProtocolId);
        Assert.Equal(1, transfer.ReportRequest);
        Assert.Equal(result.MessageReference, transfer.MessageReference);
        Assert.Equal(new byte[] { 1, 2, 3 }, transfer.UserData.ToArray());
        Assert.Equal(1, harness.Counters.SdsDelivered);
    }

    [Fact]
    public async Task SendLip_WithReport_84BitsOnTheAir_ReferenceInUserData_CompletesOnFleetControlsReport()
    {
        await using var harness = new TetraTerminalHarness();
        var onAir = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Terminal.SdsSent += (destination, data) =>
        {
            onAir.TrySetResult(data);
            // FleetControl's TETRA gateway: stored, so an SDS-TL report (PID 0xC8) carrying the LIP's user data.
            Assert.True(LipCodec.TryDecode(data, LipCodec.ShortReportBits, out var lip));
            harness.Terminal.DeliverSds(destination, SdsTl.EncodeReport(SdsEnvelope.Pid, (byte)lip!.AdditionalData, 0x02));
        };
        await harness.StartAsync();
        var report = LipCodec.Encode(LipCodec.FromPosition(51.79549, -0.07795, 13.9, 90));

        var result = await harness.Adapter.SendAsync("9000", LipCodec.ProtocolId, report[1..], requestReport: true, urgent: false, TestContext.Current.CancellationToken)
            .WaitAsync(Bound, TestContext.Current.CancellationToken);

        Assert.Equal((SdsSendOutcome.Delivered, 0x02), (result.Outcome, result.DeliveryStatus));
        var data = await onAir.Task.WaitAsync(Bound, TestContext.Current.CancellationToken);
        Assert.Equal(11, data.Length); // 84 bits, the last nibble padding
        Assert.Equal(0, data[^1] & 0x0F);
        Assert.True(LipCodec.TryDecode(data, LipCodec.ShortReportBits, out var sent));
        Assert.True(sent!.AdditionalDataIsUserDefined);
        Assert.Equal(result.MessageReference, sent.AdditionalData);
        Assert.Equal(51.79549, sent.Latitude, tolerance: 2e-5);
        Assert.Equal(4, sent.DirectionOfTravel);
    }

    [Fact]
    public async Task Send_FailureReport_IsFailed_AndALateDuplicateReportIsIgnored()
    {
        await using var harness = new TetraTerminalHarness();
        harness.Terminal.SdsSent += (destination, data) =>
        {
            harness.Terminal.DeliverSds(destination, SdsTl.EncodeReport(data[0], data[2], 0x41));
            harness.Terminal.DeliverSds(destination, SdsTl.EncodeReport(data[0], data[2], 0x02));
        };
        await harness.StartAsync();

        var result = await harness.Adapter.SendAsync("9000", SdsTl.TextMessagingPid, new byte[] { 1, 0x41 }, true, false, TestContext.Current.CancellationToken).WaitAsync(Bound, TestContext.Current.CancellationToken);

        Assert.Equal(SdsSendOutcome.Failed, result.Outcome);
        Assert.Equal(0x41, result.DeliveryStatus);
    }

    [Fact]
    public async Task CoverageLost_NotAvailable_SendRefusedByTheTerminal_ThenBackAgain()
    {
        await using var harness = new TetraTerminalHarness();
        await harness.StartAsync();

        harness.Terminal.SetCoverage(false);
        await Eventually.TrueAsync(() => !harness.Adapter.IsAvailable, because: "the +CREG: 0 URC to be seen");
        var refused = await harness.Adapter.SendAsync("9000", SdsEnvelope.Pid, new byte[] { 1 }, true, true, TestContext.Current.CancellationToken).WaitAsync(Bound, TestContext.Current.CancellationToken);
        Assert.Equal(SdsSendOutcome.Failed, refused.Outcome);
        Assert.Contains("+CME ERROR: 30", refused.Detail, StringComparison.Ordinal);

        harness.Terminal.SetCoverage(true);
        await Eventually.TrueAsync(() => harness.Adapter.IsAvailable, because: "the +CREG: 1 URC to be seen");
    }

    [Fact]
    public async Task Send_TooLarge_IsRefusedWithoutTouchingTheTerminal()
    {
        await using var harness = new TetraTerminalHarness();
        await harness.StartAsync();

        var result = await harness.Adapter.SendAsync("9000", SdsEnvelope.Pid, new byte[SdsTl.MaxBytes], true, false, TestContext.Current.CancellationToken);

        Assert.Equal(SdsSendOutcome.TooLarge, result.Outcome);
        Assert.Equal(0, harness.Counters.SdsSent);
    }

    [Fact]
    public async Task TextFromDispatcher_IsAnEvent_AndItsReceiptIsReported()
    {
        await using var harness = new TetraTerminalHarness();
        var report = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Terminal.SdsSent += (_, data) => report.TrySetResult(data);
        await harness.StartAsync();

        harness.Terminal.DeliverSds("9000", SdsTl.EncodeTransfer(SdsTl.TextMessagingPid, 9, 1, [0x01, .. Encoding.Latin1.GetBytes("Return to base")]));

        var envelopes = await harness.Sink.WaitUntilAsync(e => e.Count > 0, Bound);
        Assert.Equal("radio-text", envelopes[0].Event.Type);
        Assert.Equal("Return to base", envelopes[0].Event.Detail);
        Assert.True(SdsTl.TryDecode(await report.Task.WaitAsync(Bound, TestContext.Current.CancellationToken), out var pdu));
        Assert.Equal(SdsTlMessageType.Report, pdu!.Type);
        Assert.Equal(9, pdu.MessageReference);
    }

    [Fact]
    public async Task BrokenSds_IsCountedNotFatal()
    {
        await using var harness = new TetraTerminalHarness();
        await harness.StartAsync();

        harness.Terminal.DeliverSds("9000", [0x0A, 0x00]); // LIP too short
        harness.Terminal.DeliverSds("9000", [0x55, 0x00, 0x01]); // unknown protocol, no SDS-TL
        harness.Terminal.PressEmergency();

        await harness.Sink.WaitUntilAsync(e => e.Any(x => x.Priority == PriorityClass.Emergency), Bound);
        Assert.Equal(2, harness.Counters.SdsInvalid);
    }
}
