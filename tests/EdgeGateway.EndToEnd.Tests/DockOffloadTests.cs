using System.Text.Json;
using EdgeGateway.Simulators.LocalSystem;

namespace EdgeGateway.EndToEnd.Tests;

/// <summary>
/// A docking station as a user runs it: the dock simulator docks cameras, the gateway (dock role)
/// offloads every recording to FleetControl's vault, wipes a camera only after a matching receipt,
/// and FleetControl's verify command confirms each item's file hash and chain of custody.
/// </summary>
public sealed class DockOffloadTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(180);

    [Fact]
    public async Task DockedCameras_AreOffloadedVerifiedAndWiped_EachItemVerifiesEndToEnd()
    {
        const int cameras = 3;
        const int recordingsPerCamera = 2;
        await using var system = await SystemUnderTest.StartAsync();
        var (gateway, simulator) = await system.StartDockAsync("dock-e2e", cameras, recordingsPerCamera);

        // The simulator undocks a camera once the gateway has wiped it, and says so when all are done.
        await simulator.WaitForOutputAsync(l => l.Contains("every camera offloaded", StringComparison.Ordinal), Patience, TestContext.Current.CancellationToken);

        var items = (await system.Fleet.GetJsonAsync("/api/evidence?deviceId=dock-e2e&limit=1000", TestContext.Current.CancellationToken)).GetProperty("items").EnumerateArray().ToList();
        Assert.True(items.Count >= cameras * recordingsPerCamera, $"expected at least {cameras * recordingsPerCamera} items in the vault, found {items.Count}");
        Assert.Equal(items.Count, items.Select(i => i.GetProperty("evidenceId").GetString()).Distinct().Count());
        Assert.Contains(items, i => i.GetProperty("critical").GetBoolean());

        foreach (var id in items.Select(i => i.GetProperty("evidenceId").GetString()!))
        {
            var log = Path.Combine(system.Directory, "verify.log");
            await using var verify = ManagedProcess.Start("verify", SystemUnderTest.Outputs.FleetControl, ["evidence", "verify", id, "--vault", system.Fleet.VaultDirectory, "--identity", Path.Combine(system.Fleet.DataDirectory, "identity")], null, log);
            // OK, and every custody entry signed: the dock's with its device key, the vault's with FleetControl's.
            await verify.WaitForOutputAsync(l => l.Contains("OK", StringComparison.Ordinal) && l.Contains("signed by dock-e2e (0-", StringComparison.Ordinal)
                && l.Contains("fleetcontrol-vault", StringComparison.Ordinal) && !l.Contains("unsigned", StringComparison.Ordinal), TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            await Eventually.TrueAsync(() => verify.HasExited, TimeSpan.FromSeconds(30), "verify exits");
            Assert.Equal(0, verify.ExitCode);
        }

        // FleetControl sees the dock's bays; the gateway is still healthy.
        var dock = await system.Fleet.GetJsonAsync("/api/devices/dock-e2e", TestContext.Current.CancellationToken);
        Assert.Equal(JsonValueKind.Object, dock.GetProperty("dock").ValueKind);
        Assert.False(gateway.Process.HasExited);
    }
}
