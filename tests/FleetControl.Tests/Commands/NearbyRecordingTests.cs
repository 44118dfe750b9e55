using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FleetControl.Commands;
using FleetControl.Tests.Infrastructure;
using FleetCtl;

namespace FleetControl.Tests.Commands;

/// <summary>
/// start-recording for the vehicles near one vehicle, picked by FleetControl's stored positions: two vehicles 220 m
/// apart and one 55 km away, over real ingest and the embedded broker, through fleetctl and REST.
/// </summary>
public sealed class NearbyRecordingTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private readonly int _mqttPort = FreePort.Next();
    private FleetControlInstance _fleet = null!;

    public async ValueTask InitializeAsync() => _fleet = await FleetControlInstance.StartAsync(_data.Path, _mqttPort);

    public async ValueTask DisposeAsync()
    {
        await _fleet.DisposeAsync();
        _data.Dispose();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<CommandDevice> PositionedAsync(string id, double lat, double lon)
    {
        var device = await CommandDevice.ConnectAsync(_mqttPort, id);
        await device.PublishBatchAsync(TestEnvelopes.Position(id, 1, lat, lon));
        await Eventually.UntilAsync(
            async () => (await _fleet.FindDeviceAsync(id)) is { } d && d.GetProperty("online").GetBoolean() && d.GetProperty("lastPosition").ValueKind == JsonValueKind.Object,
            $"{id} online with its position");
        return device;
    }

    [Fact]
    public void DistanceMetres_OneThousandthOfADegreeOfLatitude_Is111Metres() =>
        Assert.InRange(NearbyRecording.DistanceMetres(51.5, -0.12, 51.501, -0.12), 111.0, 111.4);

    [Fact]
    public async Task SendNearby_TwoVehiclesWithinTheRadius_GetStartRecording_TheFarOneDoesNot()
    {
        await using var car1 = await PositionedAsync("car-1", 51.5000, -0.1200);
        await using var car2 = await PositionedAsync("car-2", 51.5020, -0.1200); // ~222 m north
        await using var car3 = await PositionedAsync("car-3", 52.0000, -0.1200); // ~55.6 km north

        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await FleetCtlApp.RunAsync(
            ["command", "send", "car-1", "start-recording", "--nearby", "500", "--reason", "control room: pursuit", "--json",
             "--url", _fleet.RestUri.ToString(), .. _fleet.TokenFileArguments(FleetControl.Auth.Roles.Administrator, _data.Path)],
            stdout, stderr, cancellationToken: Ct).WaitAsync(Eventually.DefaultTimeout, Ct);
        Assert.True(code == 0, stderr.ToString());
        var sent = JsonDocument.Parse(stdout.ToString()).RootElement;
        var targets = sent.GetProperty("targets").EnumerateArray().ToList();
        Assert.Equal(["car-1", "car-2"], targets.Select(t => t.GetProperty("deviceId").GetString())); // nearest first, the far one left out
        Assert.Equal(0, targets[0].GetProperty("distanceMetres").GetDouble());
        Assert.InRange(targets[1].GetProperty("distanceMetres").GetDouble(), 200, 250);
        Assert.All(targets, t => Assert.Equal("start-recording", t.GetProperty("command").GetProperty("kind").GetString()));

        foreach (var car in (CommandDevice[])[car1, car2])
        {
            var command = await car.NextCommandAsync();
            Assert.Equal("control room: pursuit", command.StartRecording.Reason);
            await car.AnswerAsync(command, EdgeGateway.Contracts.V1.CommandOutcome.Succeeded);
        }

        var farCommands = await _fleet.GetJsonAsync("/api/devices/car-3/commands");
        Assert.Equal(0, farCommands.GetArrayLength()); // nothing was queued for it, so nothing can arrive later

        // REST: a radius that reaches car-3 too; a bad radius and a vehicle without a position are problems.
        var wide = await _fleet.Http.PostAsJsonAsync("/api/devices/car-2/commands/nearby", new { radiusMetres = 60_000 }, Ct);
        Assert.Equal(HttpStatusCode.Accepted, wide.StatusCode);
        var wideTargets = (await wide.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("deviceId").GetString());
        Assert.Equal(["car-2", "car-1", "car-3"], wideTargets);
        var bad = await _fleet.Http.PostAsJsonAsync("/api/devices/car-1/commands/nearby", new { radiusMetres = 0 }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var ping = await _fleet.Http.PostAsJsonAsync("/api/devices/car-1/commands/nearby", new { radiusMetres = 500, type = "restart-service" }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, ping.StatusCode);
        await using var unpositioned = await CommandDevice.ConnectAsync(_mqttPort, "car-4");
        await Eventually.UntilAsync(async () => (await _fleet.FindDeviceAsync("car-4"))?.GetProperty("online").GetBoolean() == true, "car-4 online");
        var noPosition = await _fleet.Http.PostAsJsonAsync("/api/devices/car-4/commands/nearby", new { radiusMetres = 500 }, Ct);
        Assert.Equal(HttpStatusCode.Conflict, noPosition.StatusCode);
    }
}
