using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EdgeGateway.Contracts.Updates;
using EdgeGateway.Contracts.V1;
using FleetControl.Tests.Commands;
using FleetControl.Tests.Infrastructure;
using FleetControl.Updates;
using FleetCtl;
using Google.Protobuf.WellKnownTypes;

namespace FleetControl.Tests.Updates;

/// <summary>
/// Staged OTA update rollouts: REST and fleetctl -> command queue -> embedded broker -> devices answering install-update
/// and reporting update.committed / update.rolled-back as the gateway does (Alert-class events on the updates stream).
/// </summary>
public sealed class UpdateRolloutTests : IAsyncLifetime
{
    private const string Version = "2.0.0";
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

    private static string Offer => new UpdateOffer(Version, "https://updates.example/edgegateway-2.0.0.zip", new string('a', 64), 1234, "c2lnbmF0dXJl", "fleet-key").ToJson();

    [Fact]
    public async Task Rollout_DeviceInSecondWaveRollsBack_HaltsBeforeTheLastWave()
    {
        var devices = await ConnectAsync("van-1", "van-2", "van-3", "van-4", "van-5");
        var posted = await _fleet.Http.PostAsJsonAsync(
            "/api/updates/rollouts",
            new { offer = Offer, devices = devices.Select(d => d.DeviceId).ToArray(), waves = new[] { "1", "2", "rest" } },
            Ct);
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var started = await posted.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var rolloutId = started.GetProperty("rolloutId").GetString()!;
        Assert.Equal([1, 2, 2], started.GetProperty("waves").EnumerateArray().Select(w => w.GetInt32()).ToArray());
        Assert.Equal(Version, started.GetProperty("version").GetString());

        // Wave 1, the canary: installed, then committed after its trial.
        var canary = await devices[0].NextCommandAsync();
        Assert.Equal(Command.BodyOneofCase.InstallUpdate, canary.BodyCase);
        Assert.Equal(Version, UpdateOffer.Parse(canary.InstallUpdate.OfferJson).Version);
        await devices[0].AnswerAsync(canary, CommandOutcome.Succeeded);
        var status = await _fleet.GetJsonAsync($"/api/updates/rollouts/{rolloutId}");
        Assert.Equal(1, status.GetProperty("stage").GetInt32());
        Assert.False(devices[1].TryGetCommand(out _), "wave 2 waits for the canary's commit, not its install");
        await ReportAsync(devices[0], UpdateRolloutService.CommittedEvent, "committed: connected to FleetControl with a healthy watchdog");

        // Wave 2: van-2 commits, van-3 fails its health check and rolls back.
        var second = await devices[1].NextCommandAsync();
        var third = await devices[2].NextCommandAsync();
        await devices[1].AnswerAsync(second, CommandOutcome.Succeeded);
        await devices[2].AnswerAsync(third, CommandOutcome.Succeeded);
        await ReportAsync(devices[1], UpdateRolloutService.CommittedEvent, "committed");
        await ReportAsync(devices[2], UpdateRolloutService.RolledBackEvent, "rolled-back: not healthy within 00:02:00");

        await Eventually.UntilAsync(async () => (await _fleet.GetJsonAsync($"/api/updates/rollouts/{rolloutId}")).GetProperty("state").GetString() == "halted", "the rollout halts on the roll-back");
        var halted = await _fleet.GetJsonAsync($"/api/updates/rollouts/{rolloutId}");
        Assert.Equal(2, halted.GetProperty("stage").GetInt32());
        Assert.StartsWith("van-3: update to 2.0.0 rolled-back", halted.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var states = halted.GetProperty("deviceStates");
        Assert.Equal("committed", states.GetProperty("van-1").GetString());
        Assert.Equal("rolled-back", states.GetProperty("van-3").GetString());
        Assert.False(states.TryGetProperty("van-4", out _), "wave 3 is never sent");

        // The last wave got nothing, in the command queue or over MQTT.
        foreach (var device in devices[3..])
        {
            Assert.Equal(0, (await _fleet.GetJsonAsync($"/api/devices/{device.DeviceId}/commands")).GetArrayLength());
            Assert.False(device.TryGetCommand(out _), $"{device.DeviceId} must get no install-update");
        }

        // Update rollouts are not configuration rollouts.
        Assert.Equal(0, (await _fleet.GetJsonAsync("/api/rollouts")).GetArrayLength());
        await DisposeAllAsync(devices);
    }

    [Fact]
    public async Task Rollout_InstallRefused_Halts()
    {
        var devices = await ConnectAsync("bus-1", "bus-2");
        var posted = await _fleet.Http.PostAsJsonAsync("/api/updates/rollouts", new { offer = Offer, devices = new[] { "bus-1", "bus-2" } }, Ct);
        var rolloutId = (await posted.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("rolloutId").GetString()!;

        var command = await devices[0].NextCommandAsync();
        await devices[0].AnswerAsync(command, CommandOutcome.Failed, "the package's signature does not verify with Updates:TrustedKeyFile");

        await Eventually.UntilAsync(async () => (await _fleet.GetJsonAsync($"/api/updates/rollouts/{rolloutId}")).GetProperty("state").GetString() == "halted", "a refused install halts the rollout");
        var halted = await _fleet.GetJsonAsync($"/api/updates/rollouts/{rolloutId}");
        Assert.Contains("bus-1: install-update failed the package's signature", halted.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, (await _fleet.GetJsonAsync("/api/devices/bus-2/commands")).GetArrayLength());
        await DisposeAllAsync(devices);
    }

    [Fact]
    public async Task FleetCtl_StartStatusHalt_ExitCodesFollowTheRollout()
    {
        var devices = await ConnectAsync("dock-1", "dock-2", "dock-3");
        var offerFile = Path.Combine(_data.Path, "offer.json");
        await File.WriteAllTextAsync(offerFile, Offer, Ct);

        // All commit: completed, exit 0.
        var start = await RunAsync("update", "rollout", "start", "--offer", offerFile, "--device", "dock-1", "--device", "dock-2", "--wave", "1", "--wave", "rest", "--json");
        Assert.Equal(0, start.Code);
        var first = JsonDocument.Parse(start.Out).RootElement.GetProperty("rolloutId").GetString()!;
        Assert.Equal(5, (await RunAsync("update", "rollout", "status", first)).Code);
        foreach (var device in devices[..2])
        {
            var command = await device.NextCommandAsync();
            await device.AnswerAsync(command, CommandOutcome.Succeeded);
            await ReportAsync(device, UpdateRolloutService.CommittedEvent, "committed");
        }

        await Eventually.UntilAsync(async () => (await _fleet.GetJsonAsync($"/api/updates/rollouts/{first}")).GetProperty("state").GetString() == "completed", "every device committed");
        var completed = await RunAsync("update", "rollout", "status", first);
        Assert.Equal(0, completed.Code);
        Assert.Contains("completed", completed.Out, StringComparison.Ordinal);

        // Halted by an operator while the canary is on trial: exit 4, and the rest never get it.
        var second = JsonDocument.Parse((await RunAsync("update", "rollout", "start", "--offer", offerFile, "--device", "dock-3", "--device", "dock-1", "--json")).Out)
            .RootElement.GetProperty("rolloutId").GetString()!;
        var canary = await devices[2].NextCommandAsync();
        await devices[2].AnswerAsync(canary, CommandOutcome.Succeeded);
        var halt = await RunAsync("update", "rollout", "halt", second, "--reason", "field reports of GNSS loss");
        Assert.Equal(4, halt.Code);
        Assert.Contains("field reports of GNSS loss", halt.Out, StringComparison.Ordinal);
        await ReportAsync(devices[2], UpdateRolloutService.CommittedEvent, "committed");
        Assert.Equal(4, (await RunAsync("update", "rollout", "status", second)).Code);
        Assert.Equal("halted", (await _fleet.GetJsonAsync($"/api/updates/rollouts/{second}")).GetProperty("state").GetString());
        Assert.Equal(1, (await _fleet.GetJsonAsync("/api/devices/dock-1/commands")).GetArrayLength()); // only the first rollout's

        Assert.Equal(3, (await RunAsync("update", "rollout", "status", "nope")).Code);
        Assert.Equal(2, (await RunAsync("update", "rollout", "start", "--offer", Path.Combine(_data.Path, "missing.json"), "--group", "all")).Code);
        await DisposeAllAsync(devices);
    }

    [Fact]
    public async Task Rollout_WaveNotCommittedInTime_Halts()
    {
        var devices = await ConnectAsync("car-1", "car-2");
        var posted = await _fleet.Http.PostAsJsonAsync("/api/updates/rollouts", new { offer = Offer, devices = new[] { "car-1", "car-2" }, waveTimeoutSeconds = 1 }, Ct);
        var rolloutId = (await posted.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("rolloutId").GetString()!;
        var command = await devices[0].NextCommandAsync();
        await devices[0].AnswerAsync(command, CommandOutcome.Succeeded); // installed, never commits

        await Eventually.UntilAsync(async () => (await _fleet.GetJsonAsync($"/api/updates/rollouts/{rolloutId}")).GetProperty("state").GetString() == "halted", "the wave times out");
        var halted = await _fleet.GetJsonAsync($"/api/updates/rollouts/{rolloutId}");
        Assert.StartsWith("wave 1 timed out: car-1 did not report update.committed for 2.0.0", halted.GetProperty("reason").GetString(), StringComparison.Ordinal);
        // On a loaded machine the timeout may come before or after the install's answer is applied.
        Assert.Contains(halted.GetProperty("deviceStates").GetProperty("car-1").GetString(), new[] { "sent", "accepted", "installed, on trial" });
        Assert.Equal(0, (await _fleet.GetJsonAsync("/api/devices/car-2/commands")).GetArrayLength());
        await DisposeAllAsync(devices);
    }

    [Fact]
    public async Task Rollout_FleetControlRestartedMidWave_ResumesWithoutSendingTwice()
    {
        string rolloutId;
        string waitingCommand;
        var first = await ConnectAsync("bwv-1", "bwv-2", "bwv-3");
        var posted = await _fleet.Http.PostAsJsonAsync("/api/updates/rollouts", new { offer = Offer, devices = new[] { "bwv-1", "bwv-2", "bwv-3" }, waves = new[] { "1", "rest" } }, Ct);
        rolloutId = (await posted.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("rolloutId").GetString()!;
        var canary = await first[0].NextCommandAsync();
        await first[0].AnswerAsync(canary, CommandOutcome.Succeeded);
        await ReportAsync(first[0], UpdateRolloutService.CommittedEvent, "committed");
        waitingCommand = (await first[1].NextCommandAsync()).CommandId; // bwv-2 has not answered when FleetControl goes
        await first[2].NextCommandAsync();
        await DisposeAllAsync(first);

        // A new FleetControl process on the same data directory (nothing is written at shutdown, so this is what a kill leaves).
        await _fleet.DisposeAsync();
        _fleet = await FleetControlInstance.StartAsync(_data.Path, _mqttPort);
        var resumed = await _fleet.GetJsonAsync($"/api/updates/rollouts/{rolloutId}");
        Assert.Equal("running", resumed.GetProperty("state").GetString());
        Assert.Equal(2, resumed.GetProperty("stage").GetInt32());
        Assert.Equal(Version, resumed.GetProperty("version").GetString());
        Assert.Equal([1, 2], resumed.GetProperty("waves").EnumerateArray().Select(w => w.GetInt32()).ToArray());

        var devices = await ConnectAsync("bwv-2", "bwv-3");
        var again = await devices[0].NextCommandAsync();
        Assert.Equal(waitingCommand, again.CommandId); // the same command, re-sent when bwv-2 came back
        foreach (var device in devices)
        {
            await device.AnswerAsync(device == devices[0] ? again : await device.NextCommandAsync(), CommandOutcome.Succeeded);
            await ReportAsync(device, UpdateRolloutService.CommittedEvent, "committed");
        }

        await Eventually.UntilAsync(async () => (await _fleet.GetJsonAsync($"/api/updates/rollouts/{rolloutId}")).GetProperty("state").GetString() == "completed", "the resumed rollout completes");
        Assert.Equal(1, (await _fleet.GetJsonAsync("/api/devices/bwv-2/commands")).GetArrayLength());
        Assert.Equal(1, (await _fleet.GetJsonAsync("/api/devices/bwv-3/commands")).GetArrayLength());
        await DisposeAllAsync(devices);
    }

    private async Task<CommandDevice[]> ConnectAsync(params string[] ids)
    {
        var devices = new CommandDevice[ids.Length];
        for (var i = 0; i < ids.Length; i++)
        {
            devices[i] = await CommandDevice.ConnectAsync(_mqttPort, ids[i]);
        }

        foreach (var id in ids)
        {
            await Eventually.UntilAsync(async () => (await _fleet.FindDeviceAsync(id))?.GetProperty("online").GetBoolean() == true, $"{id} is online");
        }

        return devices;
    }

    private static async Task DisposeAllAsync(IEnumerable<CommandDevice> devices)
    {
        foreach (var device in devices)
        {
            await device.DisposeAsync();
        }
    }

    /// <summary>The gateway's report of its update's outcome, as UpdateConfirmation sends it.</summary>
    private static Task ReportAsync(CommandDevice device, string type, string detail)
    {
        var outcome = type[UpdateRolloutService.EventPrefix.Length..];
        var evt = new DeviceEvent { Type = type, Detail = $"update to {Version} {detail}" };
        evt.Attributes["version"] = Version;
        evt.Attributes["outcome"] = outcome;
        return device.PublishBatchAsync(new Envelope
        {
            MessageId = Guid.CreateVersion7().ToString(),
            DeviceId = device.DeviceId,
            Stream = "updates",
            Sequence = 1,
            CapturedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
            Priority = PriorityClass.Alert,
            Event = evt,
        });
    }

    private async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var token = _fleet.TokenFileArguments(FleetControl.Auth.Roles.Administrator, _data.Path);
        var code = await FleetCtlApp.RunAsync([.. args, "--url", _fleet.RestUri.ToString(), .. token], stdout, stderr, cancellationToken: Ct)
            .WaitAsync(Eventually.DefaultTimeout, Ct);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
