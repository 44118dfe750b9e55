using EdgeGateway.Contracts.Tetra;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Outbox;
using Google.Protobuf;

namespace EdgeGateway.Tests.Uplink.Tetra;

/// <summary>
/// LTE down, TETRA up, end to end over a real pty: an alert too large for one SDS reaches FleetControl in its compact
/// form and is stored once, equal to the original; a lost segment or a lost LIP report costs a re-send, never a
/// duplicate.
/// </summary>
public sealed class CompactSdsOverPtyTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task LargeAlert_GoesCompactOverTetra_DecodedEqualsTheOriginal_LteCopyLaterIsStoredOnce()
    {
        await using var link = new TetraToFleetControl(reportTimeout: TimeSpan.FromSeconds(20));
        await link.StartAsync();
        var hit = UrgentEnvelopes.Hit(TetraToFleetControl.Device);
        var segments = SdsCompactEnvelope.TryEncodeForSds(hit)!.Count;
        Assert.InRange(segments, 2, SdsCompactEnvelope.MaxSegments);
        link.Outbox.Add(Message(hit));

        var (lte, run) = link.RunFallback();
        await Eventually.TrueAsync(() => !link.Outbox.Contains(hit.MessageId), Long, "the alert acknowledged over TETRA and deleted from the outbox");

        // (A report slower than 20 s on a loaded machine means a whole re-send: still one envelope.)
        Assert.All(link.Stored, stored => Assert.Equal(hit, stored));
        Assert.NotEmpty(link.Stored);
        var sds = link.Sent.Count(s => s[0] == SdsEnvelope.Pid);
        Assert.True(sds >= segments && sds % segments == 0, $"{sds} SDS for {segments} segments");
        Assert.True(link.GatewayStats.Compact >= 1 && link.GatewayStats.Segments >= segments - 1);
        Assert.Equal(1, link.Counters.EnvelopesStored);
        Assert.Equal(1, await link.Store.CountEnvelopesAsync(TestContext.Current.CancellationToken));
        var duplicatesBefore = link.IngestStats.Duplicates;

        await link.DeliverOverLteAsync(hit); // the full envelope over MQTT once LTE is back

        Assert.Equal(1, await link.Store.CountEnvelopesAsync(TestContext.Current.CancellationToken));
        Assert.Equal(duplicatesBefore + 1, link.IngestStats.Duplicates);
        await StopAsync(lte, run);
    }

    [Fact]
    public async Task SegmentLostOnTheAir_NoPartialStored_WholeAlertResentAfterTheAckTimeout_StoredOnce()
    {
        await using var link = new TetraToFleetControl(reportTimeout: TimeSpan.FromSeconds(2));
        await link.StartAsync();
        var hit = UrgentEnvelopes.Hit(TetraToFleetControl.Device);
        var second = SdsCompactEnvelope.TryEncodeForSds(hit)![1];
        var lost = 0;
        link.Drop = (line, uplink) => uplink && line.Contains(SdsTl.ToHex(second), StringComparison.Ordinal) && Interlocked.Increment(ref lost) == 1;
        link.Outbox.Add(Message(hit));

        var (lte, run) = link.RunFallback();
        await Eventually.TrueAsync(() => !link.Outbox.Contains(hit.MessageId), Long, "the alert sent again, whole, and acknowledged");

        Assert.NotEmpty(link.Stored);
        Assert.All(link.Stored, stored => Assert.Equal(hit, stored));
        Assert.True(lost >= 2, "the second segment went twice (the first lost)");
        Assert.Equal(1, await link.Store.CountEnvelopesAsync(TestContext.Current.CancellationToken));
        Assert.True(link.Counters.NotStoredCount >= 1);
        await StopAsync(lte, run);
    }

    [Fact]
    public async Task LipReportLost_PositionSentAgainAfterTheAckTimeout_StoredOnce()
    {
        await using var link = new TetraToFleetControl(reportTimeout: TimeSpan.FromSeconds(2));
        await link.StartAsync();
        var reportsLost = 0;
        link.Drop = (line, uplink) => !uplink && Interlocked.Increment(ref reportsLost) == 1; // FleetControl stored it; its report fades
        var position = TestEnvelopes.Message(TetraToFleetControl.Device);
        link.Outbox.Add(position);

        var (lte, run) = link.RunFallback();
        await Eventually.TrueAsync(() => !link.Outbox.Contains(position.MessageId), Long, "the position re-sent as LIP and acknowledged");

        var lips = link.Sent.Where(s => s[0] == LipCodec.ProtocolId).ToList();
        Assert.True(lips.Count >= 2, $"{lips.Count} LIP sent"); // more only if a later report was slower than 2 s
        Assert.All(lips, lip => Assert.Equal(lips[0], lip)); // byte for byte: the reference comes from the message id
        Assert.Single(link.Stored.Select(e => e.MessageId).Distinct());
        Assert.Equal(1, await link.Store.CountEnvelopesAsync(TestContext.Current.CancellationToken));
        Assert.True(link.IngestStats.Duplicates >= 1);
        await StopAsync(lte, run);
    }

    private static OutboxMessage Message(Envelope envelope) =>
        new(envelope.MessageId, envelope.Priority, envelope.Stream, DateTimeOffset.MaxValue, envelope.ToByteArray());

    private static async Task StopAsync(CancellationTokenSource link, Task run)
    {
        await link.CancelAsync();
        await run.WaitAsync(Long, TestContext.Current.CancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        link.Dispose();
    }
}
