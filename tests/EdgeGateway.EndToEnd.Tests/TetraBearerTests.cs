using System.Globalization;
using System.Text.Json;
using EdgeGateway.Simulators.LocalSystem;
using EdgeGateway.Tests.Uplink;

namespace EdgeGateway.EndToEnd.Tests;

/// <summary>
/// Two bearers, one outbox, as a vehicle meets them: FleetControl with its TETRA gateway, the TETRA
/// terminal simulator on a real pty linked to it, a vehicle gateway whose MQTT goes through a relay that
/// refuses connections (LTE down), each a separate process.
/// </summary>
public sealed class TetraBearerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task LteDown_EmergencyAndLipOverTetraBearer_LteBack_BacklogOverMqtt_EmergencyOverBothBearers_NothingDuplicated()
    {
        const string deviceId = "car-tetra";
        var tetraPort = FreePort.Next();
        await using var system = await SystemUnderTest.StartAsync(fleetSettings: new Dictionary<string, string>
        {
            ["Tetra:Enabled"] = "true",
            ["Tetra:Port"] = tetraPort.ToString(CultureInfo.InvariantCulture),
            ["Tetra:Issi"] = "9000",
            ["Tetra:Terminals:1001"] = deviceId,
        });
        await using var relay = await TcpRelay.StartAsync(system.Fleet.BrokerPort);
        relay.Sever(acceptNew: false); // LTE down from the start

        var folder = Path.Combine(system.Directory, deviceId);
        var link = Path.Combine(folder, "tetra0");
        Directory.CreateDirectory(folder);
        await using var terminal = ManagedProcess.Start(
            "tetra-simulator",
            SystemUnderTest.Outputs.Simulators,
            ["tetra", "--pty-link", link, "--issi", "1001", "--dispatcher", "9000", "--swmi", $"127.0.0.1:{tetraPort}", "--stats-interval", "1"],
            null,
            Path.Combine(folder, "tetra-simulator.log"));
        await terminal.WaitForOutputAsync(l => l.StartsWith("READY", StringComparison.Ordinal), Patience, TestContext.Current.CancellationToken);
        await terminal.WaitForOutputAsync(l => l.Contains("swmi_connected=1", StringComparison.Ordinal), Patience, TestContext.Current.CancellationToken);

        var (gateway, _) = await system.StartVehicleAsync(deviceId, rate: 5, brokerPort: relay.Port, settings: new Dictionary<string, string>
        {
            ["Tetra:Enabled"] = "true",
            ["Tetra:Serial:PortName"] = link,
            ["Tetra:DispatcherIssi"] = "9000",
            ["Tetra:SdsMinInterval"] = "00:00:00.200",
            ["Routing:LipInterval"] = "00:00:02",
            ["Health:FileInterval"] = "00:00:01",
        });
        await Eventually.TrueAsync(() => HealthCounter(gateway, "tetra.registered") == 1, Patience, "the gateway's TETRA terminal to be initialised and registered");
        await Eventually.TrueAsync(() => HealthCounter(gateway, "gnss.forwarded") > 0, Patience, "positions to pile up in the outbox while LTE is down");

        await terminal.WriteLineAsync("emergency");

        var events = await Eventually.WaitAsync(
            ct => EmergenciesAsync(system, deviceId, ct), e => e.Count > 0, Patience, "FleetControl holds the emergency sent over TETRA");
        var emergencyId = Assert.Single(events);

        // Positions flow as LIP while LTE is down (nothing else can have carried them).
        var lip = await Eventually.WaitAsync(
            ct => system.PositionsAsync(deviceId, ct), p => p.Count > 0, Patience, "a LIP position over TETRA");
        Assert.All(lip, p => Assert.StartsWith("lip-", p.MessageId, StringComparison.Ordinal));
        await Eventually.TrueAsync(() => HealthCounter(gateway, "tetra.uplink.envelopes_stored") >= 1, Patience, "the gateway's outbox copy acknowledged over TETRA");

        relay.Sever(acceptNew: true); // LTE back

        await Eventually.WaitAsync(
            ct => system.PositionsAsync(deviceId, ct), p => p.Count(x => !x.MessageId.StartsWith("lip-", StringComparison.Ordinal)) >= 10, Patience,
            "the backlog of positions to drain over MQTT");
        var after = await EmergenciesAsync(system, deviceId, TestContext.Current.CancellationToken);
        Assert.Equal([emergencyId], after); // exactly once: acknowledged over TETRA, never sent again over MQTT
        var positions = await system.PositionsAsync(deviceId, TestContext.Current.CancellationToken);
        Assert.Equal(positions.Count, positions.Select(p => p.MessageId).Distinct().Count());

        // LIP stops with LTE back: more positions arrive, all over MQTT.
        var lipBefore = positions.Count(p => p.MessageId.StartsWith("lip-", StringComparison.Ordinal));
        var mqttBefore = positions.Count - lipBefore;
        var later = await Eventually.WaitAsync(
            ct => system.PositionsAsync(deviceId, ct), p => p.Count - p.Count(x => x.MessageId.StartsWith("lip-", StringComparison.Ordinal)) >= mqttBefore + 5, Patience,
            "five more positions over MQTT");
        Assert.Equal(lipBefore, later.Count(p => p.MessageId.StartsWith("lip-", StringComparison.Ordinal)));

        // With LTE up, an Emergency goes over every available bearer at once (Routing:Tetra:Emergency=Always):
        // MQTT and a TETRA copy of the same envelope; FleetControl stores it once.
        await terminal.WriteLineAsync("emergency");
        await Eventually.TrueAsync(() => HealthCounter(gateway, "tetra.uplink.copies_sent") >= 1, Patience, "the emergency's TETRA copy sent while LTE is up");
        var both = await Eventually.WaitAsync(
            ct => EmergenciesAsync(system, deviceId, ct), e => e.Count >= 2, Patience, "the second emergency stored");
        Assert.Equal(2, both.Count);
        Assert.Equal(2, both.Distinct().Count());
    }

    /// <summary>Message ids of the device's stored events of type "emergency".</summary>
    private static async Task<List<string>> EmergenciesAsync(SystemUnderTest system, string deviceId, CancellationToken cancellationToken)
    {
        using var response = await system.Fleet.Http.GetAsync($"/api/devices/{deviceId}", cancellationToken);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return [];
        }

        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return document.RootElement.GetProperty("events").EnumerateArray()
            .Where(e => e.GetProperty("type").GetString() == "emergency")
            .Select(e => e.GetProperty("messageId").GetString()!)
            .ToList();
    }

    /// <summary>A counter from the gateway's health.json (-1 while unreadable or absent).</summary>
    private static long HealthCounter(GatewayNode gateway, string name)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(gateway.DataDirectory, "health.json")));
            var counters = document.RootElement.GetProperty("report").GetProperty("counters");
            return counters.TryGetProperty(name, out _) ? GatewayHealthSnapshot.Long(counters, name) : -1;
        }
        catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return -1;
        }
    }
}
