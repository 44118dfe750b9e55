using FleetControl.Alerts;
using FleetControl.Auth;
using FleetControl.Commands;

namespace FleetControl.Tests.Store;

/// <summary>
/// What the stores FleetControl kept per instance (commands, configurations, rollouts, alerts, accounts, the audit
/// log) must do, run against each backend by a subclass (<see cref="LiteDbInstanceStateTests"/>,
/// <see cref="PostgreSqlInstanceStateTests"/>). "Another instance" opens the same data again: after a restart on
/// one machine, or beside the first on the shared database.
/// </summary>
public abstract class InstanceStateContractTests : IAsyncLifetime
{
    private protected static readonly DateTimeOffset Now = new(2026, 11, 23, 18, 0, 0, TimeSpan.Zero);

    private protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The stores of one instance over the same data as every other call (the subclass disposes them).</summary>
    private protected abstract (CommandStore Commands, AlertStore Alerts, AccountStore Accounts, AuditLog Audit) OpenInstance();

    /// <summary>Prepares empty data.</summary>
    private protected abstract Task CreateAsync();

    public async ValueTask InitializeAsync() => await CreateAsync();

    public abstract ValueTask DisposeAsync();

    private protected (CommandStore Commands, AlertStore Alerts, AccountStore Accounts, AuditLog Audit) Instance() => OpenInstance();

    private protected static CommandRecord Command(string deviceId, int minute, DateTimeOffset? expires = null) => new()
    {
        CommandId = Guid.CreateVersion7(Now.AddMinutes(minute)).ToString("N"),
        DeviceId = deviceId,
        Kind = "ping",
        Payload = [1, 2, (byte)minute],
        CreatedAt = Now.AddMinutes(minute),
        ExpiresAt = expires ?? Now.AddHours(1),
        State = CommandState.Queued,
        History = [new CommandTransition(Now.AddMinutes(minute), CommandState.Queued, string.Empty)],
    };

    [Fact]
    public void Commands_QueuedOnOneInstance_AnsweredAndListedOnAnother()
    {
        var a = Instance().Commands;
        var first = Command("car-1", 1);
        var second = Command("car-1", 2, expires: Now.AddMinutes(5));
        var third = Command("car-1", 3);
        Assert.True(a.Add(first));
        Assert.True(a.Add(second));
        Assert.True(a.Add(third));
        Assert.True(a.Add(Command("car-2", 4)));
        Assert.False(a.Add(first with { Kind = "other" })); // a known id stores nothing

        var b = Instance().Commands;
        Assert.NotNull(b.Transition(first.CommandId, CommandState.Sent, string.Empty, Now.AddMinutes(10)));
        Assert.Null(b.Transition(first.CommandId, CommandState.Sent, string.Empty, Now.AddMinutes(10))); // already there
        Assert.NotNull(a.Transition(first.CommandId, CommandState.Accepted, string.Empty, Now.AddMinutes(11)));
        var done = b.Transition(first.CommandId, CommandState.Succeeded, "ok", Now.AddMinutes(12), new Dictionary<string, string> { ["payload"] = "hello" });
        Assert.NotNull(done);
        Assert.Null(a.Transition(first.CommandId, CommandState.Failed, "late duplicate", Now.AddMinutes(13))); // final never changes
        Assert.Null(a.Transition("no-such-command", CommandState.Sent, string.Empty, Now));

        var stored = Instance().Commands.Get(first.CommandId)!;
        Assert.Equal(CommandState.Succeeded, stored.State);
        Assert.Equal("ok", stored.Reason);
        Assert.Equal("hello", stored.Details["payload"]);
        Assert.Equal("ping", stored.Kind);
        Assert.Equal(first.Payload, stored.Payload);
        Assert.Equal(first.CreatedAt, stored.CreatedAt);
        Assert.Equal(
            [(CommandState.Queued, Now.AddMinutes(1)), (CommandState.Sent, Now.AddMinutes(10)), (CommandState.Accepted, Now.AddMinutes(11)), (CommandState.Succeeded, Now.AddMinutes(12))],
            stored.History.Select(h => (h.State, h.At)));

        Assert.Equal([third.CommandId, second.CommandId], b.ListForDevice("car-1", 2).Select(c => c.CommandId));
        Assert.Equal([second.CommandId, third.CommandId], b.Undelivered("car-1").Select(c => c.CommandId));
        Assert.Equal(Now.AddMinutes(5), b.NextExpiry());
        Assert.Equal([second.CommandId], b.DueForExpiry(Now.AddMinutes(6)).Select(c => c.CommandId));
        Assert.NotNull(a.Transition(second.CommandId, CommandState.Expired, "not delivered before expiry", Now.AddMinutes(6)));
        Assert.Empty(b.DueForExpiry(Now.AddMinutes(6)));
        Assert.Equal(Now.AddHours(1), b.NextExpiry());
    }

    [Fact]
    public void ConfigurationsAndRollouts_RoundTripThroughAnotherInstance()
    {
        var a = Instance().Commands;
        Assert.Equal(new DeviceConfiguration("car-1", 0, string.Empty, 0, string.Empty, string.Empty), a.GetConfiguration("car-1"));
        a.PutConfiguration(new DeviceConfiguration("car-1", 3, "{\"x\":1}", 2, "pending", "cmd-3"));
        var rollout = new Rollout
        {
            RolloutId = "r-1",
            Kind = Rollout.UpdateKind,
            Group = "north",
            Devices = ["car-1", "car.2"],
            Json = "{\"offer\":1}",
            FirstStageSize = 1,
            StartedAt = Now,
            TimeToLive = TimeSpan.FromMinutes(30),
            Waves = [1, 1],
            Version = "2.0.0",
            WaveTimeout = TimeSpan.FromHours(1),
            Stage = 2,
            Reason = "wave 1 committed",
        };
        rollout.DeviceStates["car-1"] = "Succeeded";
        rollout.DeviceCommands["car-1"] = "cmd-9";
        a.PutRollout(rollout);
        rollout.State = "completed";
        a.PutRollout(rollout); // an update, not a second rollout
        a.PutRollout(new Rollout { RolloutId = "r-2", Group = "south", Devices = [], Json = "{}", FirstStageSize = 1, StartedAt = Now });

        var b = Instance().Commands;
        Assert.Equal(new DeviceConfiguration("car-1", 3, "{\"x\":1}", 2, "pending", "cmd-3"), b.GetConfiguration("car-1"));
        var rollouts = b.ListRollouts();
        Assert.Equal(["r-2", "r-1"], rollouts.Select(r => r.RolloutId));
        var read = rollouts[1];
        Assert.Equal((Rollout.UpdateKind, "north", "{\"offer\":1}", 1, Now, TimeSpan.FromMinutes(30), "2.0.0", TimeSpan.FromHours(1), 2, "completed", "wave 1 committed"),
            (read.Kind, read.Group, read.Json, read.FirstStageSize, read.StartedAt, read.TimeToLive, read.Version, read.WaveTimeout, read.Stage, read.State, read.Reason));
        Assert.Equal(["car-1", "car.2"], read.Devices);
        Assert.Equal([1, 1], read.Waves);
        Assert.Equal("Succeeded", read.DeviceStates["car-1"]);
        Assert.Equal("cmd-9", read.DeviceCommands["car-1"]);
        Assert.False(read.DeviceStates.ContainsKey("car.2"));
        Assert.Equal(Rollout.ConfigurationKind, rollouts[0].Kind);
        Assert.Null(rollouts[0].TimeToLive);
    }

    [Fact]
    public void Alerts_RaisedOnOneInstance_ListedAndAcknowledgedOnAnother()
    {
        var a = Instance().Alerts;
        AlertRecord Raise(string id, string rule, string device, int minute) => a.Update(id, current => current is { State: "active" } ? null : new AlertRecord
        {
            AlertId = id, Rule = rule, DeviceId = device, Severity = "major", Message = "m " + id, RaisedAt = Now.AddMinutes(minute),
            History = [new AlertTransition(Now.AddMinutes(minute), "raised", "m")],
        })!;
        Raise("offline:car-1", "offline", "car-1", 1);
        Raise("offline:car-2", "offline", "car-2", 2);
        Raise("emergency:m-1", "emergency", "car-1", 3);
        Assert.Null(a.Update("offline:car-1", current => current is { State: "active" } ? null : current)); // nothing stored
        Assert.Null(a.Update("unknown", _ => null));

        var b = Instance().Alerts;
        Assert.Equal(["emergency:m-1", "offline:car-2", "offline:car-1"], b.List(null, null, 10).Select(x => x.AlertId));
        Assert.Equal(["emergency:m-1", "offline:car-1"], b.List(null, "car-1", 10).Select(x => x.AlertId));
        Assert.Equal(["emergency:m-1"], b.List(null, null, 1).Select(x => x.AlertId));
        var acknowledged = b.Update("offline:car-1", current => current! with { AcknowledgedBy = "eng", AcknowledgedAt = Now.AddMinutes(5), History = [.. current.History, new AlertTransition(Now.AddMinutes(5), "acknowledged", "eng")] });
        Assert.NotNull(acknowledged);
        b.Update("offline:car-2", current => current! with { State = "resolved" });

        var alert = a.Get("offline:car-1")!;
        Assert.Equal(("eng", Now.AddMinutes(5), "active"), (alert.AcknowledgedBy, alert.AcknowledgedAt, alert.State));
        Assert.Equal(["raised", "acknowledged"], alert.History.Select(h => h.What));
        Assert.Equal(["offline:car-1"], a.ActiveIds("offline"));
        Assert.Equal(["offline:car-2"], a.List("resolved", null, 10).Select(x => x.AlertId));
        Assert.Equal(["emergency:m-1", "offline:car-1"], a.List("active", null, 10).Select(x => x.AlertId));
        Assert.Empty(a.List("resolved", "car-1", 10));
        Assert.Null(a.Get("unknown"));
    }

    [Fact]
    public async Task Accounts_CreatedOnOneInstance_SignInOnAnother()
    {
        var a = Instance().Accounts;
        var (token, record) = ApiTokens.Create(Now, expiresAt: null);
        var (expired, expiredRecord) = ApiTokens.Create(Now, expiresAt: Now.AddDays(1));
        await a.UpdateAsync(d =>
        {
            d.Accounts.Add(new AccountRecord { Name = "Alice", Role = Roles.Engineer, PasswordHash = "hash", CreatedAt = Now, Tokens = [record, expiredRecord] });
            d.Accounts.Add(new AccountRecord { Name = "bob", Role = Roles.Viewer, CreatedAt = Now });
            return true;
        }, Ct);
        await Assert.ThrowsAsync<InvalidOperationException>(() => a.UpdateAsync<bool>(d =>
        {
            d.Accounts.Clear();
            throw new InvalidOperationException("refused");
        }, Ct));

        var b = Instance().Accounts;
        Assert.Equal(["Alice", "bob"], b.List().Select(x => x.Name));
        var alice = b.Find("alice")!;
        Assert.Equal((Roles.Engineer, "hash", Now), (alice.Role, alice.PasswordHash, alice.CreatedAt));
        Assert.Equal("Alice", b.FindToken(token, Now.AddDays(2))?.Account.Name);
        Assert.Null(b.FindToken(expired, Now.AddDays(2)));
        Assert.Equal(expiredRecord.Id, b.FindToken(expired, Now)?.Token.Id);
        Assert.Null(b.FindToken(token[..^2] + "xx", Now));
        Assert.Null(b.Find("carol"));

        await b.UpdateAsync(d => d.Accounts.Find(x => x.Name == "Alice")!.Tokens.RemoveAll(t => t.Id == record.Id), Ct);
        Assert.Null(a.FindToken(token, Now)); // a revoked token stops working everywhere
    }

    [Fact]
    public async Task AuditLog_AppendedByTwoInstances_IsOneVerifiedChain()
    {
        var a = Instance().Audit;
        var b = Instance().Audit;
        await a.AppendAsync(new AuditEvent("alice", "signin.succeeded", "console", "ok", "10.0.0.1"), Ct);
        await b.AppendAsync(new AuditEvent("alice", "evidence.viewed", "ev-1", "ok", "10.0.0.2"), Ct);
        var last = await a.AppendAsync(new AuditEvent("bob", "signin.failed", "console", "failed", "10.0.0.3", "wrong password"), Ct);

        Assert.Equal(3, last.Sequence);
        Assert.Equal(new AuditVerification(true, 3, null), b.Verify());
        var newest = b.ReadNewest(10, null);
        Assert.Equal([3L, 2, 1], newest.Select(e => e.Sequence));
        Assert.Equal(AuditLog.Genesis, newest[^1].Previous);
        Assert.Equal(["bob", "alice"], a.ReadNewest(10, "signin.").Select(e => e.Actor));
        Assert.Equal(["signin.failed"], a.ReadNewest(1, "signin.").Select(e => e.Action));
        Assert.Equal("wrong password", newest[0].Detail);
    }
}
