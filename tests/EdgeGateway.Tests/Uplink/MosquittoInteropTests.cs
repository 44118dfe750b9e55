using EdgeGateway.Contracts.V1;

namespace EdgeGateway.Tests.Uplink;

/// <summary>The uplink against a real mosquitto (persistence on), restarted mid-stream.</summary>
public sealed class MosquittoInteropTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Mosquitto_RestartedMidStream_NothingLost()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        await using var fleet = new FleetControlStandIn("127.0.0.1", broker.Port);
        await fleet.StartAsync();
        await using var uplink = new UplinkHarness(broker.Port, o =>
        {
            o.MaxMessagesPerSecond = 3000;
            o.AckTimeout = TimeSpan.FromSeconds(2);
        });
        var before = TestEnvelopes.Fill(uplink.Outbox, uplink.DeviceId, 3000);
        var alerts = TestEnvelopes.Fill(uplink.Outbox, uplink.DeviceId, 10, PriorityClass.Alert, "anpr-hit");
        await uplink.StartAsync();
        await Eventually.TrueAsync(() => fleet.Received.Count >= 600, Long, "draining through mosquitto");

        await broker.StopAsync();
        await uplink.Link.WaitForAsync(LinkState.Offline, TestContext.Current.CancellationToken).WaitAsync(Long, TestContext.Current.CancellationToken);
        Assert.True(uplink.Outbox.Count > 0, "the restart hit mid-stream");
        var during = TestEnvelopes.Fill(uplink.Outbox, uplink.DeviceId, 200);
        await broker.StartAgainAsync();

        await uplink.Link.WaitForAsync(LinkState.Connected, TestContext.Current.CancellationToken).WaitAsync(Long, TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => uplink.Outbox.Count == 0, Long, "everything acknowledged after the restart");
        Assert.All(before.Concat(alerts).Concat(during), m => Assert.True(fleet.Received.ContainsKey(m.MessageId), "nothing lost"));
        Assert.True(uplink.Counters.Reconnects >= 1);
    }
}
