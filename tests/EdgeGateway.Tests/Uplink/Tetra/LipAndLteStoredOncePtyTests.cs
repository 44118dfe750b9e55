using System.Collections.Concurrent;
using EdgeGateway.Contracts.Tetra;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using FleetControl.Tetra;

namespace EdgeGateway.Tests.Uplink.Tetra;

/// <summary>
/// One position that reaches FleetControl both as a TETRA LIP report (named <c>lip-&lt;device&gt;-&lt;hex&gt;</c> there) and
/// over LTE under its outbox id, end to end over a real pty and the real drain: stored once in whatever order the bearers
/// deliver it (LIP then LTE; LTE then a late LIP; LIP re-sent then LTE). The gateway stamps the LIP's id on the LTE copy
/// as its dedupe key; the store keeps one envelope per device and key.
/// </summary>
public sealed class LipAndLteStoredOncePtyTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task LipStored_ReportLost_LteBackBeforeTheResend_StoredOnce()
    {
        await using var link = new TetraToFleetControl(reportTimeout: TimeSpan.FromSeconds(2));
        await link.StartAsync();
        link.Drop = (_, uplink) => !uplink; // FleetControl stores the LIP; every report fades on the way back
        var position = TestEnvelopes.Message(TetraToFleetControl.Device);
        link.Outbox.Add(position);

        var (tetra, tetraRun) = link.RunFallback();
        await Eventually.TrueAsync(() => link.Stored.Any(e => e.Stream == TetraGatewayService.LipStream), Long, "the LIP stored at FleetControl");
        var (lte, lteRun) = link.RunLte();
        await Eventually.TrueAsync(() => !link.Outbox.Contains(position.MessageId), Long, "the position acknowledged over LTE");

        var lipId = link.Stored.First(e => e.Stream == TetraGatewayService.LipStream).MessageId;
        var overLte = link.SentOverLte.First(e => e.MessageId == position.MessageId);
        Assert.Equal(lipId, overLte.DedupeKey); // the LIP's id, computed by the gateway from the bytes it sent
        await AssertStoredOnceAsync(link, lipId);
        await StopAsync(tetra, tetraRun, lte, lteRun);
    }

    [Fact]
    public async Task LipStored_ReportLost_GatewayRestarts_LteBackBeforeTheResend_StoredOnce()
    {
        await using var link = new TetraToFleetControl(reportTimeout: TimeSpan.FromSeconds(2), durable: true);
        await link.StartAsync();
        link.Drop = (_, uplink) => !uplink; // FleetControl stores the LIP; every report fades on the way back
        var position = TestEnvelopes.Message(TetraToFleetControl.Device);
        var outbox = link.Durable!;
        Assert.Equal(EnqueueResult.Accepted, await outbox.Outbox.EnqueueAsync(Envelope.Parser.ParseFrom(position.Envelope.Span), Ct));

        var (tetra, tetraRun) = link.RunFallback();
        await Eventually.TrueAsync(() => link.Stored.Any(e => e.Stream == TetraGatewayService.LipStream), Long, "the LIP stored at FleetControl");
        await StopRunAsync(tetra, tetraRun); // the gateway goes down before the LIP's report (lost anyway) or a re-send
        await link.RestartGatewayAsync(); // the keys held in memory are gone; the outbox file is the same

        var (lte, lteRun) = link.RunLte();
        await Eventually.TrueAsync(() => link.SentOverLte.Any(e => e.MessageId == position.MessageId) && outbox.Outbox.GetStatistics().AcknowledgedTotal >= 1, Long, "the position acknowledged over LTE");

        var lipId = link.Stored.First(e => e.Stream == TetraGatewayService.LipStream).MessageId;
        Assert.Equal(lipId, link.SentOverLte.First(e => e.MessageId == position.MessageId).DedupeKey); // kept through the restart
        await AssertStoredOnceAsync(link, lipId);
        await StopRunAsync(lte, lteRun);
    }

    [Fact]
    public async Task LteFirst_LateLipArrivesAfterwards_StoredOnce()
    {
        await using var link = new TetraToFleetControl(reportTimeout: TimeSpan.FromSeconds(2));
        await link.StartAsync();
        var held = new ConcurrentQueue<string>();
        link.Drop = (line, uplink) =>
        {
            if (uplink)
            {
                held.Enqueue(line); // the LIP is delayed in the network
            }

            return uplink;
        };
        var position = TestEnvelopes.Message(TetraToFleetControl.Device);
        link.Outbox.Add(position);

        var (tetra, tetraRun) = link.RunFallback();
        await Eventually.TrueAsync(() => !held.IsEmpty, Long, "the LIP on the air");
        var (lte, lteRun) = link.RunLte();
        await Eventually.TrueAsync(() => !link.Outbox.Contains(position.MessageId), Long, "the position stored over LTE");
        Assert.Equal(1, await link.Store.CountEnvelopesAsync(Ct));
        var duplicatesBefore = link.IngestStats.Duplicates;

        foreach (var line in held)
        {
            await link.ToFleetControlAsync(line).WaitAsync(Long, Ct); // the late LIP(s) reach FleetControl
        }

        await Eventually.TrueAsync(() => link.IngestStats.Duplicates >= duplicatesBefore + held.Count, Long, "every late LIP taken for the stored position");
        await AssertStoredOnceAsync(link, position.MessageId);
        await StopAsync(tetra, tetraRun, lte, lteRun);
    }

    [Fact]
    public async Task LipResent_ThenLte_StoredOnce()
    {
        await using var link = new TetraToFleetControl(reportTimeout: TimeSpan.FromSeconds(2));
        await link.StartAsync();
        link.Drop = (_, uplink) => !uplink; // no report ever comes back: the LIP is sent again after the ack timeout
        var position = TestEnvelopes.Message(TetraToFleetControl.Device);
        link.Outbox.Add(position);

        var (tetra, tetraRun) = link.RunFallback();
        await Eventually.TrueAsync(
            () => link.Sent.Count(s => s[0] == LipCodec.ProtocolId) >= 2 && link.IngestStats.Duplicates >= 1,
            Long,
            "the LIP re-sent and its second arrival taken for the first");
        var (lte, lteRun) = link.RunLte();
        await Eventually.TrueAsync(() => !link.Outbox.Contains(position.MessageId), Long, "the position acknowledged over LTE");

        var lipId = link.Stored.First(e => e.Stream == TetraGatewayService.LipStream).MessageId;
        Assert.Equal(lipId, link.SentOverLte.First(e => e.MessageId == position.MessageId).DedupeKey);
        await AssertStoredOnceAsync(link, lipId);
        await StopAsync(tetra, tetraRun, lte, lteRun);
    }

    /// <summary>One envelope and one position in the store, under <paramref name="firstId"/> (the copy that came first).</summary>
    private static async Task AssertStoredOnceAsync(TetraToFleetControl link, string firstId)
    {
        Assert.Equal(1, await link.Store.CountEnvelopesAsync(Ct));
        var positions = await link.Store.GetPositionsAsync(TetraToFleetControl.Device, 10, Ct);
        Assert.Equal(firstId, Assert.Single(positions).MessageId);
        Assert.Equal(1, (await link.Store.GetDeviceAsync(TetraToFleetControl.Device, Ct))!.PositionCount);
    }

    private static async Task StopRunAsync(CancellationTokenSource link, Task run)
    {
        await link.CancelAsync();
        await run.WaitAsync(Long, Ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        link.Dispose();
    }

    private static async Task StopAsync(CancellationTokenSource tetra, Task tetraRun, CancellationTokenSource lte, Task lteRun)
    {
        await lte.CancelAsync();
        await tetra.CancelAsync();
        await lteRun.WaitAsync(Long, Ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await tetraRun.WaitAsync(Long, Ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        lte.Dispose();
        tetra.Dispose();
    }
}
