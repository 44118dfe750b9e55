using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EdgeGateway.Contracts.V1;
using FleetControl.Tests.Infrastructure;

namespace FleetControl.Tests.Commands;

/// <summary>REST -> command store -> embedded broker -> device -> result -> REST, all real.</summary>
public sealed class CommandsApiTests : IAsyncLifetime
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

    [Fact]
    public async Task Ping_OnlineDevice_SucceedsWithEchoAndHistory()
    {
        await using var device = await CommandDevice.ConnectAsync(_mqttPort, "car-1");
        await Eventually.UntilAsync(async () => (await _fleet.FindDeviceAsync("car-1"))?.GetProperty("online").GetBoolean() == true, "the condition holds");

        var posted = await PostAsync("/api/devices/car-1/commands", new { type = "ping", payload = "hello" });
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var id = (await posted.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("commandId").GetString()!;

        var command = await device.NextCommandAsync();
        Assert.Equal(id, command.CommandId);
        Assert.Equal("hello", command.Ping.Payload);
        await device.AnswerAsync(command, CommandOutcome.Accepted);
        await device.AnswerAsync(command, CommandOutcome.Succeeded);

        var final = await _fleet.GetJsonAsync($"/api/commands/{id}?waitSeconds=30");
        Assert.Equal("succeeded", final.GetProperty("state").GetString());
        Assert.Equal("hello", final.GetProperty("details").GetProperty("payload").GetString());
        var states = final.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("state").GetString()).ToList();
        Assert.Equal(["queued", "sent", "accepted", "succeeded"], states);

        // A repeated (redelivered) answer changes nothing: succeeded is final.
        await device.AnswerAsync(command, CommandOutcome.Failed, "late duplicate");
        var list = await _fleet.GetJsonAsync("/api/devices/car-1/commands");
        Assert.Equal(1, list.GetArrayLength());
        Assert.Equal("succeeded", (await _fleet.GetJsonAsync($"/api/commands/{id}")).GetProperty("state").GetString());
    }

    [Fact]
    public async Task Command_DeviceOffline_WaitsAndIsDeliveredWhenItComesOnline()
    {
        // Known but offline: its status said offline.
        await using (var first = await CommandDevice.ConnectAsync(_mqttPort, "car-2"))
        {
        }

        await PublishOfflineAsync("car-2");
        await Eventually.UntilAsync(async () => (await _fleet.FindDeviceAsync("car-2"))?.GetProperty("online").GetBoolean() == false, "the condition holds");

        var posted = await PostAsync("/api/devices/car-2/commands", new { type = "rescan-bays" });
        var queued = await posted.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("queued", queued.GetProperty("state").GetString());
        var id = queued.GetProperty("commandId").GetString()!;

        await using var device = await CommandDevice.ConnectAsync(_mqttPort, "car-2");
        var command = await device.NextCommandAsync();
        Assert.Equal(id, command.CommandId);
        Assert.Equal(Command.BodyOneofCase.RescanBays, command.BodyCase);
        await device.AnswerAsync(command, CommandOutcome.Failed, "no dock adapter");

        var final = await _fleet.GetJsonAsync($"/api/commands/{id}?waitSeconds=30");
        Assert.Equal("failed", final.GetProperty("state").GetString());
        Assert.Equal("no dock adapter", final.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Command_NeverDelivered_Expires()
    {
        await using (var first = await CommandDevice.ConnectAsync(_mqttPort, "car-3"))
        {
        }

        await PublishOfflineAsync("car-3");
        await Eventually.UntilAsync(async () => (await _fleet.FindDeviceAsync("car-3"))?.GetProperty("online").GetBoolean() == false, "the condition holds");
        var posted = await PostAsync("/api/devices/car-3/commands", new { type = "ping", timeToLiveSeconds = 1 });
        var id = (await posted.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("commandId").GetString()!;

        var final = await _fleet.GetJsonAsync($"/api/commands/{id}?waitSeconds=30");
        Assert.Equal("expired", final.GetProperty("state").GetString());
    }

    [Fact]
    public async Task BadRequests_AreProblemDetails()
    {
        await using var device = await CommandDevice.ConnectAsync(_mqttPort, "car-4");
        await Eventually.UntilAsync(async () => await _fleet.FindDeviceAsync("car-4") is not null, "the condition holds");

        var unknownType = await PostAsync("/api/devices/car-4/commands", new { type = "format-disk" });
        Assert.Equal(HttpStatusCode.BadRequest, unknownType.StatusCode);
        Assert.Equal("application/problem+json", unknownType.Content.Headers.ContentType?.MediaType);
        var problem = await unknownType.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Contains("ping", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var unknownDevice = await PostAsync("/api/devices/nobody/commands", new { type = "ping" });
        Assert.Equal(HttpStatusCode.NotFound, unknownDevice.StatusCode);
        Assert.Equal("application/problem+json", unknownDevice.Content.Headers.ContentType?.MediaType);

        var badRange = await PostAsync("/api/devices/car-4/commands", new { type = "resend-range", from = "2026-01-02T00:00:00Z", to = "2026-01-01T00:00:00Z" });
        Assert.Equal(HttpStatusCode.BadRequest, badRange.StatusCode);

        var notObject = await _fleet.Http.PutAsJsonAsync("/api/devices/car-4/configuration", new { configuration = new[] { 1, 2 } }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, notObject.StatusCode);
        Assert.Equal(0, (await _fleet.GetJsonAsync("/api/devices/car-4/commands")).GetArrayLength());
    }

    [Fact]
    public async Task Rollout_FirstStageRejects_StopsBeforeTheRest()
    {
        await using var bad = await CommandDevice.ConnectAsync(_mqttPort, "van-a");
        await using var good = await CommandDevice.ConnectAsync(_mqttPort, "van-b");
        await Eventually.UntilAsync(async () =>
            (await _fleet.FindDeviceAsync("van-a"))?.GetProperty("online").GetBoolean() == true &&
            (await _fleet.FindDeviceAsync("van-b"))?.GetProperty("online").GetBoolean() == true, "the condition holds");

        var posted = await _fleet.Http.PostAsJsonAsync(
            "/api/rollouts",
            new { devices = new[] { "van-a", "van-b" }, firstStageSize = 1, configuration = new { Outbox = new { MaxBytes = -1 } } },
            Ct);
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var rolloutId = (await posted.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("rolloutId").GetString()!;

        var command = await bad.NextCommandAsync();
        Assert.Equal(1, command.ApplyConfiguration.Version);
        Assert.Contains("maxbytes", command.ApplyConfiguration.Json, StringComparison.OrdinalIgnoreCase);
        await bad.AnswerAsync(command, CommandOutcome.Failed, "Outbox:MaxBytes must be positive; rolled back", reportedVersion: 0);

        await Eventually.UntilAsync(async () => (await _fleet.GetJsonAsync($"/api/rollouts/{rolloutId}")).GetProperty("state").GetString() == "stopped", "the condition holds");
        var rollout = await _fleet.GetJsonAsync($"/api/rollouts/{rolloutId}");
        Assert.Contains("van-a", rollout.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.False(good.TryGetCommand(out _), "the second stage must not be sent after a failure");

        var configuration = await _fleet.GetJsonAsync("/api/devices/van-a/configuration");
        Assert.Equal(1, configuration.GetProperty("desiredVersion").GetInt64());
        Assert.Equal(0, configuration.GetProperty("reportedVersion").GetInt64());
        Assert.StartsWith("rejected", configuration.GetProperty("status").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, (await _fleet.GetJsonAsync("/api/devices/van-b/configuration")).GetProperty("desiredVersion").GetInt64());
    }

    [Fact]
    public async Task Rollout_AllApply_CompletesInStages()
    {
        await using var a = await CommandDevice.ConnectAsync(_mqttPort, "dock-a", "Dock");
        await using var b = await CommandDevice.ConnectAsync(_mqttPort, "dock-b", "Dock");
        await Eventually.UntilAsync(async () =>
            (await _fleet.FindDeviceAsync("dock-a"))?.GetProperty("online").GetBoolean() == true &&
            (await _fleet.FindDeviceAsync("dock-b"))?.GetProperty("online").GetBoolean() == true, "the condition holds");

        var posted = await _fleet.Http.PostAsJsonAsync("/api/rollouts", new { group = "Dock", configuration = new { Health = new { Interval = "00:00:30" } } }, Ct);
        var rolloutId = (await posted.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("rolloutId").GetString()!;

        var first = await a.NextCommandAsync();
        Assert.False(b.TryGetCommand(out _), "stage 2 waits for stage 1");
        await a.AnswerAsync(first, CommandOutcome.Succeeded, reportedVersion: first.ApplyConfiguration.Version);
        var second = await b.NextCommandAsync();
        await b.AnswerAsync(second, CommandOutcome.Succeeded, reportedVersion: second.ApplyConfiguration.Version);

        await Eventually.UntilAsync(async () => (await _fleet.GetJsonAsync($"/api/rollouts/{rolloutId}")).GetProperty("state").GetString() == "completed", "the condition holds");
        var configuration = await _fleet.GetJsonAsync("/api/devices/dock-b/configuration");
        Assert.Equal(1, configuration.GetProperty("reportedVersion").GetInt64());
        Assert.Equal("applied", configuration.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Rollout_FirstFailureInAStage_StopsWithoutWaitingForTheOthers()
    {
        await using var bad = await CommandDevice.ConnectAsync(_mqttPort, "bus-a");
        await using var silent = await CommandDevice.ConnectAsync(_mqttPort, "bus-b");
        await using var later = await CommandDevice.ConnectAsync(_mqttPort, "bus-c");
        await WaitOnlineAsync("bus-a", "bus-b", "bus-c");

        var rolloutId = await StartRolloutAsync(["bus-a", "bus-b", "bus-c"], firstStageSize: 2);
        var command = await bad.NextCommandAsync();
        await silent.NextCommandAsync(); // received, never answered
        await bad.AnswerAsync(command, CommandOutcome.Failed, "rejected; rolled back", reportedVersion: 0);

        await Eventually.UntilAsync(async () => (await _fleet.GetJsonAsync($"/api/rollouts/{rolloutId}")).GetProperty("state").GetString() == "stopped", "the rollout stops on the first failure");
        var rollout = await _fleet.GetJsonAsync($"/api/rollouts/{rolloutId}");
        Assert.Contains("bus-a: Failed", rollout.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Contains("1 other device(s) of stage 1", rollout.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.False(later.TryGetCommand(out _), "stage 2 is never sent");
    }

    [Fact]
    public async Task Rollout_FleetControlRestartedMidStage_ResumesWithoutSendingTwice()
    {
        string rolloutId;
        string waitingCommand;
        await using (var a = await CommandDevice.ConnectAsync(_mqttPort, "dock-x", "Dock"))
        await using (var b = await CommandDevice.ConnectAsync(_mqttPort, "dock-y", "Dock"))
        await using (await CommandDevice.ConnectAsync(_mqttPort, "dock-z", "Dock"))
        {
            await WaitOnlineAsync("dock-x", "dock-y", "dock-z");
            rolloutId = await StartRolloutAsync(["dock-x", "dock-y", "dock-z"], firstStageSize: 2);
            var first = await a.NextCommandAsync();
            await a.AnswerAsync(first, CommandOutcome.Succeeded, reportedVersion: first.ApplyConfiguration.Version);
            waitingCommand = (await b.NextCommandAsync()).CommandId; // dock-y has not answered when FleetControl goes
            await Eventually.UntilAsync(async () => (await _fleet.GetJsonAsync($"/api/rollouts/{rolloutId}")).GetProperty("deviceStates").GetProperty("dock-x").GetString() == "Succeeded", "dock-x's answer is recorded");
        }

        // A new FleetControl process on the same data directory (nothing is written at shutdown, so this is what a kill leaves).
        await _fleet.DisposeAsync();
        _fleet = await FleetControlInstance.StartAsync(_data.Path, _mqttPort);
        var resumed = await _fleet.GetJsonAsync($"/api/rollouts/{rolloutId}");
        Assert.Equal("running", resumed.GetProperty("state").GetString());
        Assert.Equal(1, resumed.GetProperty("stage").GetInt32());

        await using var y = await CommandDevice.ConnectAsync(_mqttPort, "dock-y", "Dock");
        await using var z = await CommandDevice.ConnectAsync(_mqttPort, "dock-z", "Dock");
        var again = await y.NextCommandAsync();
        Assert.Equal(waitingCommand, again.CommandId); // the same command, re-sent when dock-y came back: not a second version
        await y.AnswerAsync(again, CommandOutcome.Succeeded, reportedVersion: again.ApplyConfiguration.Version);
        var last = await z.NextCommandAsync();
        await z.AnswerAsync(last, CommandOutcome.Succeeded, reportedVersion: last.ApplyConfiguration.Version);

        await Eventually.UntilAsync(async () => (await _fleet.GetJsonAsync($"/api/rollouts/{rolloutId}")).GetProperty("state").GetString() == "completed", "the resumed rollout completes");
        Assert.Equal(1, (await _fleet.GetJsonAsync("/api/devices/dock-y/configuration")).GetProperty("desiredVersion").GetInt64());
        Assert.Equal(1, (await _fleet.GetJsonAsync("/api/devices/dock-z/configuration")).GetProperty("reportedVersion").GetInt64());
    }

    private async Task<string> StartRolloutAsync(string[] devices, int firstStageSize)
    {
        var posted = await _fleet.Http.PostAsJsonAsync("/api/rollouts", new { devices, firstStageSize, configuration = new { Health = new { Interval = "00:00:30" } } }, Ct);
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        return (await posted.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("rolloutId").GetString()!;
    }

    private Task WaitOnlineAsync(params string[] devices) =>
        Eventually.UntilAsync(
            async () =>
            {
                foreach (var device in devices)
                {
                    if ((await _fleet.FindDeviceAsync(device))?.GetProperty("online").GetBoolean() != true)
                    {
                        return false;
                    }
                }

                return true;
            },
            $"{string.Join(", ", devices)} are online");

    private Task<HttpResponseMessage> PostAsync(string path, object body) => _fleet.Http.PostAsJsonAsync(path, body, Ct);

    private async Task PublishOfflineAsync(string deviceId)
    {
        await using var publisher = await TestDevice.ConnectAsync(_mqttPort, deviceId);
        await publisher.PublishAsync(
            EdgeGateway.Contracts.Topics.Status(deviceId),
            Google.Protobuf.MessageExtensions.ToByteArray(new DeviceStatus { Online = false, Role = "Vehicle", At = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(DateTime.UtcNow) }),
            retain: true);
    }
}
