
namespace EdgeGateway.EndToEnd.Tests;

/// <summary>
/// Power cuts and ignition-off without warning: the gateway process is killed with SIGKILL while it
/// produces and drains, then restarted on the same data. FleetControl must end with every position
/// the gateway accepted, each exactly once.
/// </summary>
/// <remarks>
/// "Accepted" is checked through the per-stream sequence: the gateway assigns it at acceptance and keeps
/// it durable and gap-free, so every accepted position is numbered 1..N. A lost accepted message shows
/// as a gap; a duplicate as a repeated sequence or message id.
/// </remarks>
public sealed class GatewayCrashTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Gateway_KilledMidStreamAndRestarted_EveryAcceptedPositionStoredExactlyOnce()
    {
        await using var system = await SystemUnderTest.StartAsync();
        var (gateway, gps) = await system.StartVehicleAsync("car-kill");
        var before = await Eventually.WaitAsync(
            ct => system.PositionsAsync("car-kill", ct), p => p.Count >= 15, Patience, "15 positions are stored before the kill");

        await gateway.KillAsync();
        gateway.Start();

        await AssertCompleteAfterDrainAsync(system, gateway, gps, "car-kill", minimum: before.Count + 10);
    }

    [Fact]
    public async Task Gateway_KilledTwentyTimesAtRandomPoints_EveryAcceptedPositionStoredExactlyOnce()
    {
        await using var system = await SystemUnderTest.StartAsync();
        var (gateway, gps) = await system.StartVehicleAsync("car-chaos", rate: 20);
        var random = new Random(20261123);
        for (var kill = 0; kill < 20; kill++)
        {
            // Anywhere from mid-start-up to well into draining.
            var runFor = TimeSpan.FromMilliseconds(random.Next(300, 2500));
            await Task.Delay(runFor, TestContext.Current.CancellationToken); // the random kill point itself, not synchronisation
            await gateway.KillAsync();
            gateway.Start();
        }

        await AssertCompleteAfterDrainAsync(system, gateway, gps, "car-chaos", minimum: 20);
    }

    /// <summary>Stops the receiver, waits for the outbox to drain, then checks 1..N exactly once.</summary>
    internal static async Task AssertCompleteAfterDrainAsync(
        SystemUnderTest system, Simulators.LocalSystem.GatewayNode gateway, Simulators.LocalSystem.GpsSimulatorNode gps, string deviceId, int minimum)
    {
        await Eventually.WaitAsync(
            ct => system.PositionsAsync(deviceId, ct), p => p.Count >= minimum, Patience, $"{minimum} positions of {deviceId} are stored");
        await gps.StopAsync();

        // Drained: the gateway's outbox reports no gnss backlog and FleetControl's count has stopped growing.
        var stable = 0;
        var lastCount = -1;
        var positions = await Eventually.WaitAsync(
            ct => system.PositionsAsync(deviceId, ct),
            p =>
            {
                stable = p.Count == lastCount && gateway.ReadHealth()?.Backlog == 0 ? stable + 1 : 0;
                lastCount = p.Count;
                return stable >= 8;
            },
            Patience,
            $"{deviceId}'s outbox is drained");

        Assert.False(gateway.Process.HasExited, "the gateway must still be running after the restarts");
        Assert.Equal(positions.Count, positions.Select(p => p.MessageId).Distinct().Count());
        var sequences = positions.Select(p => p.Sequence).Order().ToList();
        Assert.Equal(sequences.Count, sequences.Distinct().Count());
        var missing = Enumerable.Range(1, (int)sequences[^1]).Select(i => (ulong)i).Except(sequences).ToList();
        Assert.True(missing.Count == 0, $"accepted positions missing from FleetControl: sequences {string.Join(", ", missing.Take(20))}");
    }
}
