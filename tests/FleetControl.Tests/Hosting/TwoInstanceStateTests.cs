using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EdgeGateway.Contracts;
using EdgeGateway.Contracts.V1;
using FleetControl.Auth;
using FleetControl.Tests.Commands;
using FleetControl.Tests.Infrastructure;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FleetControl.Tests.Hosting;

/// <summary>
/// Two FleetControl instances on one PostgreSQL database: instance A cannot reach the broker at all (what it
/// queues it cannot deliver, what devices send never reaches it), instance B is the only one behind mosquitto.
/// A command queued through A is delivered and answered through B; an alert B raises is acknowledged on A; an
/// account made with the accounts command signs in on A and its session cookie is accepted by B.
/// </summary>
public sealed class TwoInstanceStateTests(PostgreSqlCluster cluster) : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private MosquittoBroker _mosquitto = null!;
    private string _connectionString = string.Empty;
    private FleetControlInstance _a = null!;
    private FleetControlInstance _b = null!;
    private bool _aStopped;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _mosquitto = await MosquittoBroker.StartAsync();
        _connectionString = await cluster.CreateDatabaseAsync("twoinstances");
        // A points at a port where no broker listens: it starts, serves REST, and never ingests.
        var starting = new[] { ("a", FreePort.Next(), false), ("b", _mosquitto.Port, true) }.Select(i => FleetControlInstance.StartAsync(
            _dir.Sub(i.Item1),
            i.Item2,
            i.Item3,
            "--Store:Provider=PostgreSql",
            $"--Store:ConnectionString={_connectionString}",
            "--Store:MaxPoolSize=5",
            $"--Evidence:VaultDirectory={_dir.Sub("shared-vault")}",
            "--Mqtt:Mode=External",
            "--Mqtt:Host=127.0.0.1",
            $"--Mqtt:ClientId=fleet-{i.Item1}",
            "--Mqtt:SharedSubscriptionGroup=fleet",
            "--Mqtt:SessionExpiry=00:00:05")).ToList();
        var started = await Task.WhenAll(starting);
        (_a, _b) = (started[0], started[1]);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_aStopped)
        {
            await _a.DisposeAsync();
        }

        await _b.DisposeAsync();
        await _mosquitto.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Command_QueuedThroughA_DeliveredAndAnsweredThroughB()
    {
        await using (await CommandDevice.ConnectAsync(_mosquitto.Port, "car-1"))
        {
        }

        await PublishStatusAsync("car-1", online: false);
        await Eventually.UntilAsync(async () => (await _a.FindDeviceAsync("car-1"))?.GetProperty("online").GetBoolean() == false, "A sees car-1 offline in the shared store");

        var posted = await _a.Http.PostAsJsonAsync("/api/devices/car-1/commands", new { type = "ping", payload = "via A" }, Ct);
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var queued = await posted.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("queued", queued.GetProperty("state").GetString());
        var id = queued.GetProperty("commandId").GetString()!;

        // A waits for the answer (long poll) while B does all the work.
        using var patient = BearerHttpClient.Create(_a.RestUri, _a.Tokens[Roles.Administrator], TimeSpan.FromSeconds(60));
        var waiting = patient.GetFromJsonAsync<JsonElement>($"/api/commands/{id}?waitSeconds=50", Ct);
        await using var device = await CommandDevice.ConnectAsync(_mosquitto.Port, "car-1");
        var command = await device.NextCommandAsync();
        Assert.Equal(id, command.CommandId);
        Assert.Equal("via A", command.Ping.Payload);
        await device.AnswerAsync(command, CommandOutcome.Accepted);
        await device.AnswerAsync(command, CommandOutcome.Succeeded);

        var final = await waiting.WaitAsync(TimeSpan.FromSeconds(70), Ct);
        Assert.Equal("succeeded", final.GetProperty("state").GetString());
        Assert.Equal("via A", final.GetProperty("details").GetProperty("payload").GetString());
        Assert.Equal(["queued", "sent", "accepted", "succeeded"], final.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("state").GetString()));
        var onB = await _b.GetJsonAsync("/api/devices/car-1/commands");
        Assert.Equal([id], onB.EnumerateArray().Select(c => c.GetProperty("commandId").GetString()));
        Assert.False(device.TryGetCommand(out _), "delivered once");
    }

    [Fact]
    public async Task Rollout_StartedOnA_TakenOverByBWhenAStops_CompletesThroughB()
    {
        foreach (var id in new[] { "dock-r1", "dock-r2" })
        {
            await using (await CommandDevice.ConnectAsync(_mosquitto.Port, id, "Dock"))
            {
            }

            await PublishStatusAsync(id, online: false);
        }

        await Eventually.UntilAsync(
            async () => (await _a.FindDeviceAsync("dock-r1"))?.GetProperty("online").GetBoolean() == false && (await _a.FindDeviceAsync("dock-r2"))?.GetProperty("online").GetBoolean() == false,
            "A sees both docks offline");
        var posted = await _a.Http.PostAsJsonAsync(
            "/api/rollouts", new { devices = new[] { "dock-r1", "dock-r2" }, firstStageSize = 1, configuration = new { Health = new { Interval = "00:00:30" } } }, Ct);
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var rolloutId = (await posted.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("rolloutId").GetString()!;
        await Eventually.UntilAsync(
            async () => (await _b.GetJsonAsync($"/api/devices/dock-r1/commands")).GetArrayLength() == 1,
            "A queued stage 1");
        Assert.Equal("running", (await _b.GetJsonAsync($"/api/rollouts/{rolloutId}")).GetProperty("state").GetString()); // B shows A's rollout

        // A goes away with the rollout half done: B takes it over and finishes it.
        _aStopped = true;
        await _a.DisposeAsync();
        await using var first = await CommandDevice.ConnectAsync(_mosquitto.Port, "dock-r1", "Dock");
        var apply = await first.NextCommandAsync();
        await first.AnswerAsync(apply, CommandOutcome.Succeeded, reportedVersion: apply.ApplyConfiguration.Version);
        await using var second = await CommandDevice.ConnectAsync(_mosquitto.Port, "dock-r2", "Dock");
        Command? next = null;
        await Eventually.TrueAsync(() => second.TryGetCommand(out next), TimeSpan.FromSeconds(60), "B's take-over sends stage 2");
        Assert.Equal(Command.BodyOneofCase.ApplyConfiguration, next!.BodyCase);
        await second.AnswerAsync(next, CommandOutcome.Succeeded, reportedVersion: next.ApplyConfiguration.Version);

        await Eventually.UntilAsync(
            async () => (await _b.GetJsonAsync($"/api/rollouts/{rolloutId}")).GetProperty("state").GetString() == "completed",
            "B completes the rollout",
            TimeSpan.FromSeconds(60));
        Assert.Equal("applied", (await _b.GetJsonAsync("/api/devices/dock-r2/configuration")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Alert_RaisedThroughB_LiveOnA_ListedAndAcknowledgedOnA()
    {
        // A console on A watches the live feed while the alert is raised by B.
        await _a.Services.GetRequiredService<global::FleetControl.Alerts.PostgreSqlAlertFeed>().Listening.WaitAsync(Eventually.DefaultTimeout, Ct);
        using var stream = await _a.Http.GetStreamAsync("/api/alerts/stream", Ct);
        using var reader = new StreamReader(stream);
        Assert.Equal(": connected", await reader.ReadLineAsync(Ct).AsTask().WaitAsync(Eventually.DefaultTimeout, Ct));

        await using var device = await TestDevice.ConnectAsync(_mosquitto.Port, "car-9");
        var emergency = TestEnvelopes.Event("car-9", 1, "emergency_button");
        emergency.Priority = PriorityClass.Emergency;
        await device.PublishAsync(Topics.ForEnvelope("car-9", PriorityClass.Emergency, "events"), TestEnvelopes.Batch(emergency).ToByteArray());
        await device.NextAckAsync();

        var alertId = $"emergency:{emergency.MessageId}";
        var live = await NextAlertAsync(reader);
        Assert.Equal((alertId, "active"), (live.GetProperty("alertId").GetString(), live.GetProperty("state").GetString()));
        await Eventually.UntilAsync(
            async () => (await _a.GetJsonAsync("/api/alerts?state=active")).EnumerateArray().Any(a => a.GetProperty("alertId").GetString() == alertId),
            "A lists the alert B raised");

        var ack = await _a.Http.PostAsync($"/api/alerts/{alertId}/ack", content: null, Ct);
        Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
        var onB = await _b.GetJsonAsync($"/api/alerts/{alertId}");
        Assert.Equal(TestAccounts.Administrator, onB.GetProperty("acknowledgedBy").GetString());
        Assert.Equal(["raised", "acknowledged"], onB.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("what").GetString()));
    }

    [Fact]
    public async Task Account_AddedByTheCommand_SignsInOnA_SessionAcceptedOnB_AuditedOnce()
    {
        var passwordFile = Path.Combine(_dir.Path, "alice.password");
        await File.WriteAllTextAsync(passwordFile, "alice-long-password\n", Ct);
        string[] store = ["--Store:Provider=PostgreSql", $"--Store:ConnectionString={_connectionString}"];
        Assert.Equal(0, await AccountsAsync(["add", "alice", "--role", "engineer", "--password-file", passwordFile, .. store]));

        using var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() };
        using var onA = new HttpClient(handler, disposeHandler: false) { BaseAddress = _a.RestUri, Timeout = Eventually.DefaultTimeout };
        var signIn = await onA.PostAsync(
            "/console/login",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["user"] = "alice", ["password"] = "alice-long-password" }),
            Ct);
        Assert.Equal("/console/", signIn.Headers.Location?.OriginalString);
        var cookie = handler.CookieContainer.GetCookies(_a.RestUri)[AuthRegistration.CookieName];
        Assert.NotNull(cookie);

        // The browser's next request reaches B (no session affinity): same cookie, other instance.
        using var onB = new HttpClient { BaseAddress = _b.RestUri, Timeout = Eventually.DefaultTimeout };
        onB.DefaultRequestHeaders.Add("Cookie", $"{cookie.Name}={cookie.Value}");
        var me = await onB.GetFromJsonAsync<JsonElement>("/console/me", Ct);
        Assert.Equal("alice", me.GetProperty("user").GetString());
        Assert.Equal(HttpStatusCode.OK, (await onB.GetAsync("/api/devices", Ct)).StatusCode);

        // One key ring, in the database (not each process's ~/.aspnet folder).
        Assert.All(new[] { _a, _b }, fleet => Assert.IsType<PostgreSqlKeyRing>(
            fleet.Services.GetRequiredService<IOptions<KeyManagementOptions>>().Value.XmlRepository));
        await using (var dataSource = NpgsqlDataSource.Create(_connectionString))
        await using (var keys = dataSource.CreateCommand("SELECT count(*) FROM data_protection_keys"))
        {
            Assert.True((long)(await keys.ExecuteScalarAsync(Ct))! >= 1);
        }

        // One audit chain: the command's entry, then the sign-in on A, read and verified on B.
        var audit = await _b.GetJsonAsync("/api/audit?limit=10");
        Assert.Equal(["signin.succeeded:alice", "account.added:alice"], audit.EnumerateArray().Take(2).Select(r => r.GetProperty("action").GetString() + ":" + (r.GetProperty("action").GetString() == "account.added" ? r.GetProperty("target") : r.GetProperty("actor")).GetString()));
        var verified = await _b.GetJsonAsync("/api/audit/verify");
        Assert.True(verified.GetProperty("ok").GetBoolean(), verified.ToString());

        // A new password set through the command ends the session on every instance.
        await File.WriteAllTextAsync(passwordFile, "alice-newer-password\n", Ct);
        Assert.Equal(0, await AccountsAsync(["set-password", "alice", "--password-file", passwordFile, .. store]));
        Assert.Equal(HttpStatusCode.Unauthorized, (await onB.GetAsync("/api/devices", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await onA.GetAsync("/api/devices", Ct)).StatusCode);
    }

    private static async Task<JsonElement> NextAlertAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(30), Ct) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                return JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone();
            }
        }

        throw new InvalidOperationException("the alert stream ended");
    }

    private static async Task<int> AccountsAsync(string[] args)
    {
        var error = new StringWriter();
        var code = await AccountsCommand.RunAsync("accounts", args, TextReader.Null, TextWriter.Null, error, Ct).WaitAsync(Eventually.DefaultTimeout, Ct);
        Assert.True(code == 0, error.ToString());
        return code;
    }

    private async Task PublishStatusAsync(string deviceId, bool online)
    {
        await using var publisher = await TestDevice.ConnectAsync(_mosquitto.Port, deviceId);
        await publisher.PublishAsync(
            Topics.Status(deviceId),
            new DeviceStatus { Online = online, Role = "Vehicle", At = Timestamp.FromDateTime(DateTime.UtcNow) }.ToByteArray(),
            retain: true);
    }
}
