
namespace EdgeGateway.EndToEnd.Tests;

/// <summary>
/// The same system through a real mosquitto (Debian's, persistence on) instead of FleetControl's
/// embedded broker: interoperability, and outages of the broker and of FleetControl mid-stream.
/// </summary>
public sealed class BrokerInteropTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Positions_ThroughMosquitto_AreStoredInFleetControl()
    {
        await using var mosquitto = await MosquittoBroker.StartAsync();
        await using var system = await SystemUnderTest.StartAsync(("127.0.0.1", mosquitto.Port));
        await system.StartVehicleAsync("car-mosquitto");

        var positions = await Eventually.WaitAsync(
            ct => system.PositionsAsync("car-mosquitto", ct), p => p.Count >= 20, Patience, "20 positions arrive through mosquitto");

        Assert.Equal(positions.Count, positions.Select(p => p.MessageId).Distinct().Count());
        var device = await system.Fleet.GetJsonAsync("/api/devices/car-mosquitto", TestContext.Current.CancellationToken);
        Assert.True(device.GetProperty("online").GetBoolean()); // the retained status crossed mosquitto too
    }

    [Fact]
    public async Task MosquittoAndFleetControl_RestartedMidStream_NothingLostNothingDuplicated()
    {
        await using var mosquitto = await MosquittoBroker.StartAsync();
        await using var system = await SystemUnderTest.StartAsync(("127.0.0.1", mosquitto.Port));
        var (gateway, gps) = await system.StartVehicleAsync("car-outage");
        await Eventually.WaitAsync(
            ct => system.PositionsAsync("car-outage", ct), p => p.Count >= 10, Patience, "10 positions are stored before the outage");

        // Broker outage: the gateway notices, keeps accepting into its outbox, and drains when mosquitto returns.
        await mosquitto.StopAsync();
        await Eventually.TrueAsync(
            () => gateway.ReadHealth() is { Link: "OFFLINE", Backlog: >= 10 }, Patience, "the gateway is offline with a backlog");
        await mosquitto.StartAgainAsync();

        // FleetControl crash: what mosquitto queued for its persistent session, and what the gateway re-sends, arrives after restart.
        var beforeCrash = (await system.PositionsAsync("car-outage", TestContext.Current.CancellationToken)).Count;
        await Eventually.WaitAsync(
            ct => system.PositionsAsync("car-outage", ct), p => p.Count >= beforeCrash + 10, Patience, "the backlog drains after the broker returns");
        await system.Fleet.KillAsync();
        await Eventually.TrueAsync(
            () => gateway.ReadHealth() is { Backlog: >= 10 }, Patience, "positions queue while FleetControl is down");
        await system.Fleet.StartAsync(TestContext.Current.CancellationToken);

        await GatewayCrashTests.AssertCompleteAfterDrainAsync(system, gateway, gps, "car-outage", minimum: beforeCrash + 20);
    }
}
