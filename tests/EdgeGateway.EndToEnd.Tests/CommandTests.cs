using System.Net.Http.Json;
using System.Text.Json;

namespace EdgeGateway.EndToEnd.Tests;

/// <summary>
/// Commands and configuration end to end with real processes: REST → FleetControl (commands.db) → its
/// embedded MQTT broker → a gateway process → the result back in FleetControl, including commands queued
/// while the gateway is down and a gateway killed with SIGKILL in between.
/// </summary>
public sealed class CommandTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Command_QueuedWhileGatewayDownOrKilled_CompletesOnceAfterItStarts()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var system = await SystemUnderTest.StartAsync();
        var (gateway, _) = await system.StartVehicleAsync("car-cmd", rate: 2);
        await WaitOnlineAsync(system, "car-cmd", online: true);

        // Online: sent at once, answered.
        var first = await SendAsync(system, "car-cmd", new { type = "ping", payload = "hello" }, ct);
        var done = await WaitFinalAsync(system, first, ct);
        Assert.Equal("succeeded", done.GetProperty("state").GetString());
        Assert.Equal("hello", done.GetProperty("details").GetProperty("payload").GetString());
        Assert.Contains(done.GetProperty("history").EnumerateArray(), h => h.GetProperty("state").GetString() == "accepted");

        // Power cut: queued while the gateway is dead, delivered and run when it is back.
        await gateway.KillAsync();
        await WaitOnlineAsync(system, "car-cmd", online: false);
        var queued = await SendAsync(system, "car-cmd", new { type = "collect-diagnostics", maxLogLines = 50 }, ct);
        var whileDown = await system.Fleet.GetJsonAsync($"/api/commands/{queued}", ct);
        Assert.Equal("queued", whileDown.GetProperty("state").GetString());

        gateway.Start();
        var diagnosed = await WaitFinalAsync(system, queued, ct);
        Assert.Equal("succeeded", diagnosed.GetProperty("state").GetString());
        // The bundle came over gRPC: stored under FleetControl's data directory and served by REST, byte for byte.
        var details = diagnosed.GetProperty("details");
        Assert.Equal(queued, details.GetProperty("bundleId").GetString());
        var stored = await File.ReadAllBytesAsync(Path.Combine(system.Fleet.DataDirectory, "diagnostics", "car-cmd", queued + ".zip"), ct);
        Assert.Equal(details.GetProperty("sha256").GetString(), Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stored)));
        var downloaded = await system.Fleet.Http.GetByteArrayAsync($"/api/devices/car-cmd/diagnostics/{queued}", ct);
        Assert.Equal(stored, downloaded);
        using (var zip = new System.IO.Compression.ZipArchive(new MemoryStream(downloaded)))
        {
            using var manifest = JsonDocument.Parse(zip.GetEntry("manifest.json")!.Open());
            Assert.Equal("car-cmd", manifest.RootElement.GetProperty("deviceId").GetString());
            Assert.True(manifest.RootElement.GetProperty("logLines").GetInt32() > 0, "the bundle carries recent log lines");
            Assert.NotNull(zip.GetEntry("configuration.json"));
        }

        // Each command ran once, its result kept on the gateway's disk across the kill.
        var results = Path.Combine(gateway.DataDirectory, "commands");
        Assert.True(File.Exists(Path.Combine(results, first + ".result")), "the first result survives the SIGKILL");
        Assert.True(File.Exists(Path.Combine(results, queued + ".result")));
        Assert.Equal(1, CountLines(gateway.LogFile, $"Command {queued} (CollectDiagnostics): Succeeded"));
        Assert.Equal(1, CountLines(gateway.LogFile, $"Command {first} (Ping): Succeeded"));
    }

    [Fact]
    public async Task Configuration_BadOneRejectedAndRolledBack_GoodOneApplied_BufferIntact()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var system = await SystemUnderTest.StartAsync();
        var (gateway, gps) = await system.StartVehicleAsync("car-cfg", rate: 10);
        await WaitOnlineAsync(system, "car-cfg", online: true);
        var desiredFile = Path.Combine(gateway.DataDirectory, "desired-config.json");

        var bad = await PutConfigurationAsync(system, "car-cfg", new { Mqtt = new { Port = 0 } }, ct);
        var rejected = await WaitFinalAsync(system, bad, ct);
        Assert.Equal("failed", rejected.GetProperty("state").GetString());
        Assert.Contains("Mqtt:Port must be between 1 and 65535", rejected.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.False(File.Exists(desiredFile), "a rejected configuration writes nothing");
        var afterBad = await system.Fleet.GetJsonAsync("/api/devices/car-cfg/configuration", ct);
        Assert.StartsWith("rejected", afterBad.GetProperty("status").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, afterBad.GetProperty("reportedVersion").GetInt64());

        var good = await PutConfigurationAsync(system, "car-cfg", new { Logging = new { LogLevel = new { Default = "Information" } } }, ct);
        var applied = await WaitFinalAsync(system, good, ct);
        Assert.Equal("succeeded", applied.GetProperty("state").GetString());
        // The command's result and the reported version travel separately: the status follows once the report is in.
        var afterGood = await Eventually.WaitAsync(
            token => system.Fleet.GetJsonAsync("/api/devices/car-cfg/configuration", token),
            c => c.GetProperty("status").GetString() == "applied",
            TimeSpan.FromSeconds(60),
            "the device to report the good configuration applied");
        Assert.Equal(afterGood.GetProperty("desiredVersion").GetInt64(), afterGood.GetProperty("reportedVersion").GetInt64());
        Assert.True(File.Exists(desiredFile));
        Assert.False(gateway.Process.HasExited, "a hot section is applied without a restart");

        // The buffer was never touched: every position accepted is in FleetControl exactly once.
        await GatewayCrashTests.AssertCompleteAfterDrainAsync(system, gateway, gps, "car-cfg", minimum: 20);
    }

    [Fact]
    public async Task ResendRange_DeliveredPositionsSentAgain_StoredExactlyOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var system = await SystemUnderTest.StartAsync();
        var (gateway, gps) = await system.StartVehicleAsync("car-resend", rate: 5);
        var delivered = await Eventually.WaitAsync(
            c => system.PositionsAsync("car-resend", c), p => p.Count >= 20, Patience, "20 positions of car-resend are stored");
        var before = await system.Fleet.GetJsonAsync("/api/stats", ct);

        // Everything captured so far, again: the gateway holds it only in its retained history now.
        var from = delivered.Min(p => p.Time).AddSeconds(-1);
        var to = DateTimeOffset.UtcNow.AddMinutes(1);
        var resend = await SendAsync(system, "car-resend", new { type = "resend-range", from, to, stream = "gnss" }, ct);
        var done = await WaitFinalAsync(system, resend, ct);
        Assert.Equal("succeeded", done.GetProperty("state").GetString());
        var details = done.GetProperty("details");
        var resent = int.Parse(details.GetProperty("resent").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(resent >= delivered.Count, $"resent {resent}, FleetControl held {delivered.Count} before");
        Assert.Equal("gnss", details.GetProperty("streams").GetString());
        Assert.Equal("complete", details.GetProperty("coverage").GetString());

        // They arrive with their original ids: FleetControl counts them as duplicates and stores none twice.
        await Eventually.WaitAsync(
            c => system.Fleet.GetJsonAsync("/api/stats", c),
            s => s.GetProperty("duplicates").GetInt64() >= before.GetProperty("duplicates").GetInt64() + resent,
            Patience,
            $"FleetControl has seen the {resent} resent positions");
        await GatewayCrashTests.AssertCompleteAfterDrainAsync(system, gateway, gps, "car-resend", minimum: delivered.Count);
    }

    [Fact]
    public async Task Rollout_FleetControlKilledMidRollout_ResumesAfterRestart_NoSecondVersion()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var system = await SystemUnderTest.StartAsync();
        var (first, _) = await system.StartVehicleAsync("car-ra", rate: 2);
        var (second, _) = await system.StartVehicleAsync("car-rb", rate: 2);
        await WaitOnlineAsync(system, "car-ra", online: true);
        await WaitOnlineAsync(system, "car-rb", online: true);
        await second.KillAsync(); // its stage-2 command will wait in the queue
        await WaitOnlineAsync(system, "car-rb", online: false);

        using var posted = await system.Fleet.Http.PostAsJsonAsync(
            "/api/rollouts",
            new { devices = new[] { "car-ra", "car-rb" }, firstStageSize = 1, configuration = new { Logging = new { LogLevel = new { Default = "Information" } } } },
            ct);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, posted.StatusCode);
        var rolloutId = (await posted.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("rolloutId").GetString()!;
        await Eventually.WaitAsync(
            c => system.Fleet.GetJsonAsync($"/api/rollouts/{rolloutId}", c),
            r => r.GetProperty("stage").GetInt32() == 2 && r.GetProperty("deviceStates").TryGetProperty("car-rb", out _),
            Patience,
            "stage 1 applied and stage 2 queued for car-rb");

        // SIGKILL: nothing is written on the way down.
        await system.Fleet.Process.KillAsync();
        await system.Fleet.StartAsync(ct);
        var resumed = await system.Fleet.GetJsonAsync($"/api/rollouts/{rolloutId}", ct);
        Assert.Equal("running", resumed.GetProperty("state").GetString());
        Assert.Equal(2, resumed.GetProperty("stage").GetInt32());
        Assert.Equal("Succeeded", resumed.GetProperty("deviceStates").GetProperty("car-ra").GetString());

        second.Start();
        await Eventually.WaitAsync(
            c => system.Fleet.GetJsonAsync($"/api/rollouts/{rolloutId}", c),
            r => r.GetProperty("state").GetString() == "completed",
            Patience,
            "the resumed rollout completes once car-rb is back");
        var configuration = await system.Fleet.GetJsonAsync("/api/devices/car-rb/configuration", ct);
        Assert.Equal(1, configuration.GetProperty("desiredVersion").GetInt64());
        Assert.Equal(1, configuration.GetProperty("reportedVersion").GetInt64());
        Assert.Equal("applied", configuration.GetProperty("status").GetString());
        Assert.False(first.Process.HasExited);
    }

    private static int CountLines(string file, string text)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var count = 0;
        while (reader.ReadLine() is { } line)
        {
            count += line.Contains(text, StringComparison.Ordinal) ? 1 : 0;
        }

        return count;
    }

    private static Task WaitOnlineAsync(SystemUnderTest system, string deviceId, bool online) =>
        Eventually.UntilAsync(
            async () =>
            {
                using var response = await system.Fleet.Http.GetAsync($"/api/devices/{deviceId}", TestContext.Current.CancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    return false;
                }

                using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
                return doc.RootElement.GetProperty("online").GetBoolean() == online;
            },
            $"FleetControl shows {deviceId} online={online}",
            Patience);

    private static async Task<string> SendAsync(SystemUnderTest system, string deviceId, object body, CancellationToken ct)
    {
        using var response = await system.Fleet.Http.PostAsJsonAsync($"/api/devices/{deviceId}/commands", body, ct);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return doc.RootElement.GetProperty("commandId").GetString()!;
    }

    private static async Task<string> PutConfigurationAsync(SystemUnderTest system, string deviceId, object configuration, CancellationToken ct)
    {
        using var response = await system.Fleet.Http.PutAsJsonAsync($"/api/devices/{deviceId}/configuration", new { configuration }, ct);
        response.EnsureSuccessStatusCode();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return doc.RootElement.GetProperty("command").GetProperty("commandId").GetString()!;
    }

    private static Task<JsonElement> WaitFinalAsync(SystemUnderTest system, string commandId, CancellationToken ct) =>
        Eventually.WaitAsync(
            c => system.Fleet.GetJsonAsync($"/api/commands/{commandId}?waitSeconds=5", c),
            c => c.GetProperty("state").GetString() is "succeeded" or "failed" or "expired",
            Patience,
            $"command {commandId} is final");
}
