using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EdgeGateway.Contracts.V1;
using FleetControl.Auth;
using FleetControl.Tests.Commands;
using FleetControl.Tests.Infrastructure;

namespace FleetControl.Tests.Anpr;

/// <summary>
/// Two FleetControl instances on one PostgreSQL database, each with its own embedded broker: a vehicle is connected
/// to both brokers, so what one instance publishes reaches it and what it answers through the other broker is
/// received by the other instance. A hotlist snapshot sent by A in two parts and answered through B completes
/// (commands done, version recorded, nothing resent), and the next change through B goes out as the next delta.
/// </summary>
public sealed class HotlistTwoInstanceTests(PostgreSqlCluster cluster) : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        _dir.Dispose();
        return ValueTask.CompletedTask;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task HotlistSnapshot_SentByA_AnsweredThroughB_Completes_NextChangeThroughBIsTheNextDelta()
    {
        var connectionString = await cluster.CreateDatabaseAsync("hotlist2");
        var portA = FreePort.Next();
        var portB = FreePort.Next();
        string[] Shared(string name) =>
        [
            "--Store:Provider=PostgreSql",
            $"--Store:ConnectionString={connectionString}",
            "--Store:MaxPoolSize=5",
            $"--Evidence:VaultDirectory={_dir.Sub("shared-vault")}",
            $"--Mqtt:ClientId=fleet-{name}",
            "--Anpr:SnapshotPartEntries=100",
        ];
        await using var a = await FleetControlInstance.StartAsync(_dir.Sub("fleet-a"), portA, Shared("a"));
        await using var b = await FleetControlInstance.StartAsync(_dir.Sub("fleet-b"), portB, Shared("b"));

        // The vehicle on both brokers; it says (through A) that it runs ANPR and holds nothing.
        await using var viaA = await CommandDevice.ConnectAsync(portA, "car-3");
        await using var viaB = await CommandDevice.ConnectAsync(portB, "car-3");
        await viaA.PublishBatchAsync(AnprEnvelopes.HotlistReport("car-3", 1, 0));
        await Eventually.UntilAsync(async () => DeviceState(await b.GetJsonAsync("/api/anpr/hotlist"), "car-3") is not null, "car-3 is known to hold a hotlist");

        // A change through A: A sends the vehicle a snapshot of version 1 in two parts (150 entries, 100 a part).
        var upserts = Enumerable.Range(0, 148).Select(i => new { vrm = $"HL{i:000}AA", list = "wanted", reason = "Wanted" })
            .Append(new { vrm = "AB12CDE", list = "stolen", reason = "Stolen" })
            .Append(new { vrm = "XY05ZZZ", list = "wanted", reason = "Wanted" })
            .ToArray();
        await ChangeAsync(a, new { upserts }, expectedVersion: 1);
        var parts = new[] { await viaA.NextCommandAsync(), await viaA.NextCommandAsync() };
        Assert.All(parts, p => Assert.Equal(Command.BodyOneofCase.HotlistUpdate, p.BodyCase));
        Assert.Equal([(0L, 1L, 1u, 2u), (0L, 1L, 2u, 2u)], parts.Select(p => (p.HotlistUpdate.BaseVersion, p.HotlistUpdate.Version, p.HotlistUpdate.Part, p.HotlistUpdate.Parts)));
        Assert.Equal(150, parts.Sum(p => p.HotlistUpdate.Upserts.Count));

        // Their answers reach B only (as the gateway answers: the first part waits for the second): B completes the
        // update in the shared store.
        await viaB.AnswerAsync(parts[0], CommandOutcome.Succeeded, details: new Dictionary<string, string> { ["hotlistVersion"] = "0", ["outcome"] = "WaitingForParts" });
        await viaB.AnswerAsync(parts[1], CommandOutcome.Succeeded, details: new Dictionary<string, string> { ["hotlistVersion"] = "1", ["outcome"] = "Applied" });
        await Eventually.UntilAsync(
            async () => DeviceState(await a.GetJsonAsync("/api/anpr/hotlist"), "car-3") is { } d && d.GetProperty("version").GetInt64() == 1 && d.GetProperty("pendingVersion").ValueKind == JsonValueKind.Null,
            "A sees car-3 holding version 1 with nothing on its way");
        foreach (var part in parts)
        {
            Assert.Equal("succeeded", (await a.GetJsonAsync($"/api/commands/{part.CommandId}")).GetProperty("state").GetString());
        }

        Assert.True(DeviceState(await b.GetJsonAsync("/api/anpr/hotlist"), "car-3")!.Value.GetProperty("upToDate").GetBoolean());

        // The next change through B goes out (through B) as the delta from 1 to 2: no snapshot, no resend of version 1.
        await ChangeAsync(b, new { removals = new[] { "XY05ZZZ" } }, expectedVersion: 2);
        var delta = await viaB.NextCommandAsync();
        Assert.Equal(Command.BodyOneofCase.HotlistUpdate, delta.BodyCase);
        Assert.Equal((1L, 2L), (delta.HotlistUpdate.BaseVersion, delta.HotlistUpdate.Version));
        Assert.Equal(["XY05ZZZ"], delta.HotlistUpdate.Removals);
        Assert.Empty(delta.HotlistUpdate.Upserts);

        // And the other way round: B's update answered through A completes too.
        await viaA.AnswerAsync(delta, CommandOutcome.Succeeded, details: new Dictionary<string, string> { ["hotlistVersion"] = "2", ["outcome"] = "Applied" });
        await Eventually.UntilAsync(
            async () => DeviceState(await b.GetJsonAsync("/api/anpr/hotlist"), "car-3") is { } d && d.GetProperty("version").GetInt64() == 2 && d.GetProperty("pendingVersion").ValueKind == JsonValueKind.Null,
            "B sees car-3 holding version 2 with nothing on its way");
        Assert.Equal("succeeded", (await b.GetJsonAsync($"/api/commands/{delta.CommandId}")).GetProperty("state").GetString());

        // Three commands in all, each sent once: nothing else was sent on either broker.
        var commands = await b.GetJsonAsync("/api/devices/car-3/commands");
        Assert.Equal(
            [parts[0].CommandId, parts[1].CommandId, delta.CommandId],
            commands.EnumerateArray().Select(c => c.GetProperty("commandId").GetString()).Order(StringComparer.Ordinal));
        Assert.False(viaA.TryGetCommand(out _), "A sent nothing more");
        Assert.False(viaB.TryGetCommand(out _), "B sent nothing more");
    }

    private static JsonElement? DeviceState(JsonElement status, string deviceId) =>
        status.GetProperty("devices").EnumerateArray().FirstOrDefault(d => d.GetProperty("deviceId").GetString() == deviceId) is { ValueKind: JsonValueKind.Object } d ? d : null;

    private static async Task ChangeAsync(FleetControlInstance fleet, object change, long expectedVersion)
    {
        using var changed = await fleet.ClientFor(Roles.Engineer).PostAsJsonAsync("/api/anpr/hotlist", change, Ct);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal(expectedVersion, (await changed.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("version").GetInt64());
    }
}
