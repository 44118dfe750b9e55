using FleetControl.Alerts;
using FleetControl.Auth;
using FleetControl.Commands;
using FleetControl.Tests.Store.PostgreSql;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace FleetControl.Tests.Store;

/// <summary>
/// The instance-state contract on PostgreSQL, where every "instance" has its own connection pool on the shared
/// database; plus what only the shared database has to withstand: instances writing the same rows at once, and an
/// index behind every query.
/// </summary>
public sealed class PostgreSqlInstanceStateTests(PostgreSqlCluster cluster) : InstanceStateContractTests
{
    private readonly List<NpgsqlDataSource> _sources = [];
    private string _connectionString = string.Empty;

    private protected override async Task CreateAsync()
    {
        var first = await PostgreSqlTestDatabase.CreateAsync(cluster);
        _connectionString = first.ConnectionString;
        _sources.Add(first);
    }

    private protected override (CommandStore Commands, AlertStore Alerts, AccountStore Accounts, AuditLog Audit) OpenInstance()
    {
        var source = NpgsqlDataSource.Create(_connectionString);
        _sources.Add(source);
        return (new PostgreSqlCommandStore(source), new PostgreSqlAlertStore(source), new PostgreSqlAccountStore(source), new PostgreSqlAuditLog(source, TimeProvider.System));
    }

    public override async ValueTask DisposeAsync()
    {
        foreach (var source in _sources)
        {
            await source.DisposeAsync();
        }
    }

    [Fact]
    public async Task AuditLog_ManyAppendsFromThreeInstancesAtOnce_OneUnbrokenChain()
    {
        var logs = Enumerable.Range(0, 3).Select(_ => Instance().Audit).ToList();
        await Task.WhenAll(Enumerable.Range(0, 30).Select(i =>
            logs[i % 3].AppendAsync(new AuditEvent("user-" + i, "evidence.viewed", "ev-" + i, "ok", "10.0.0." + (i % 3)), Ct))).WaitAsync(TimeSpan.FromSeconds(60), Ct);

        Assert.Equal(new AuditVerification(true, 30, null), logs[0].Verify());
        Assert.Equal(Enumerable.Range(1, 30).Reverse().Select(i => (long)i), logs[1].ReadNewest(100, null).Select(e => e.Sequence));
    }

    [Fact]
    public async Task CommandAnswer_AppliedByThreeInstancesAtOnce_ChangesItOnce()
    {
        var stores = Enumerable.Range(0, 3).Select(_ => Instance().Commands).ToList();
        var command = Command("car-1", 1);
        stores[0].Add(command);

        var results = await Task.WhenAll(stores.Select(s => Task.Run(() => s.Transition(command.CommandId, CommandState.Succeeded, "ok", Now), Ct))).WaitAsync(TimeSpan.FromSeconds(60), Ct);

        Assert.Single(results, r => r is not null);
        Assert.Equal(2, stores[1].Get(command.CommandId)!.History.Count);
    }

    [Fact]
    public async Task AlertRaised_ByThreeInstancesAtOnce_RaisedOnce()
    {
        var stores = Enumerable.Range(0, 3).Select(_ => Instance().Alerts).ToList();
        var results = await Task.WhenAll(stores.Select(s => Task.Run(
            () => s.Update("offline:car-1", current => current is { State: "active" } ? null : new AlertRecord
            {
                AlertId = "offline:car-1", Rule = "offline", DeviceId = "car-1", Severity = "major", Message = "offline", RaisedAt = Now,
                History = [.. current?.History ?? [], new AlertTransition(Now, "raised", "offline")],
            }),
            Ct))).WaitAsync(TimeSpan.FromSeconds(60), Ct);

        Assert.Single(results, r => r is not null);
        Assert.Single(stores[2].Get("offline:car-1")!.History);
    }

    [Fact]
    public void SignInThrottle_FailuresOnTwoInstancesCountTogether_AndTheLockHoldsOnBoth()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var options = Options.Create(new AuthOptions { MaxFailedSignIns = 3, MaxFailedSignInsPerAddress = 10, LockoutDuration = TimeSpan.FromMinutes(15) });
        _sources.Add(NpgsqlDataSource.Create(_connectionString));
        _sources.Add(NpgsqlDataSource.Create(_connectionString));
        var a = new PostgreSqlSignInThrottle(_sources[^2], options, time);
        var b = new PostgreSqlSignInThrottle(_sources[^1], options, time);

        Assert.False(a.RecordFailure("alice", "10.0.0.1"));
        Assert.False(b.RecordFailure("Alice", "10.0.0.1")); // names compare case-insensitively
        Assert.False(a.IsLocked("alice", "10.0.0.1", out _));
        Assert.True(b.RecordFailure("alice", "10.0.0.2"));
        Assert.True(a.IsLocked("ALICE", "10.0.0.9", out var until));
        Assert.Equal(time.GetUtcNow().AddMinutes(15), until);
        Assert.False(a.RecordFailure("alice", "10.0.0.3")); // already locked: this one did not lock it
        Assert.False(b.IsLocked("bob", "10.0.0.9", out _));

        time.Advance(TimeSpan.FromMinutes(15));
        Assert.False(b.IsLocked("alice", "10.0.0.1", out _));
        Assert.False(a.RecordFailure("alice", "10.0.0.1")); // a fresh count after the lock ran out
        b.RecordSuccess("alice");
        Assert.False(a.RecordFailure("alice", "10.0.0.1"));
        Assert.False(a.RecordFailure("alice", "10.0.0.1")); // two since the success: not yet locked

        // Many names from one address, half through each instance, lock the address.
        for (var i = 0; i < 9; i++)
        {
            (i % 2 == 0 ? a : b).RecordFailure("user" + i, "10.0.0.66");
        }

        Assert.True(b.RecordFailure("user-last", "10.0.0.66"));
        Assert.True(a.IsLocked("carol", "10.0.0.66", out _));
    }

    [Fact]
    public void RolloutLease_HeldByOneInstance_UntilReleased()
    {
        var a = Instance().Commands;
        var b = Instance().Commands;

        using (var lease = a.TryLeaseRollout("r-1"))
        {
            Assert.NotNull(lease);
            Assert.Null(b.TryLeaseRollout("r-1"));
            using var other = b.TryLeaseRollout("r-2");
            Assert.NotNull(other); // another rollout is free
        }

        using var taken = b.TryLeaseRollout("r-1");
        Assert.NotNull(taken);
    }

    [Fact]
    public async Task Queries_EachUsesAnIndex()
    {
        var source = _sources[0];
        (string Sql, (string, object)[] Parameters)[] queries =
        [
            ("SELECT * FROM commands WHERE command_id = @id", [("id", "c")]),
            ("SELECT * FROM commands WHERE device_id = @device ORDER BY command_id DESC LIMIT 50", [("device", "car-1")]),
            ("SELECT * FROM commands WHERE device_id = @device AND state IN ('Queued', 'Sent', 'Accepted') ORDER BY command_id", [("device", "car-1")]),
            ("SELECT * FROM commands WHERE state IN ('Queued', 'Sent') AND expires_at <= @now", [("now", DateTime.UtcNow)]),
            ("SELECT expires_at FROM commands WHERE state IN ('Queued', 'Sent') ORDER BY expires_at LIMIT 1", []),
            ("SELECT record FROM alerts ORDER BY raised_at DESC LIMIT 100", []),
            ("SELECT record FROM alerts WHERE state = @state ORDER BY raised_at DESC LIMIT 100", [("state", "active")]),
            ("SELECT record FROM alerts WHERE device_id = @device ORDER BY raised_at DESC LIMIT 100", [("device", "car-1")]),
            ("SELECT alert_id FROM alerts WHERE state = 'active' AND rule = @rule", [("rule", "offline")]),
            ("SELECT record FROM accounts WHERE name_key = lower(@name)", [("name", "alice")]),
            ("SELECT record FROM accounts WHERE token_ids @> ARRAY[@id]", [("id", "0123456789ab")]),
            ("SELECT sequence, hash FROM audit_log ORDER BY sequence DESC LIMIT 1", []),
        ];
        await using var connection = await source.OpenConnectionAsync(Ct);
        foreach (var (sql, parameters) in queries)
        {
            // Sequential scans and sorts priced out: a tiny table would otherwise make them cheapest. A GIN index is
            // read through a bitmap, so bitmap scans stay allowed.
            await using (var off = new NpgsqlCommand("SET enable_seqscan = off; SET enable_sort = off", connection))
            {
                await off.ExecuteNonQueryAsync(Ct);
            }

            await using var explain = new NpgsqlCommand("EXPLAIN " + sql, connection);
            foreach (var (name, value) in parameters)
            {
                explain.Parameters.AddWithValue(name, value);
            }

            var plan = new List<string>();
            await using (var reader = await explain.ExecuteReaderAsync(Ct))
            {
                while (await reader.ReadAsync(Ct))
                {
                    plan.Add(reader.GetString(0));
                }
            }

            var text = string.Join('\n', plan);
            Assert.True(text.Contains("Index", StringComparison.Ordinal) && !text.Contains("Seq Scan", StringComparison.Ordinal), $"{sql}: no index in\n{text}");
            Assert.DoesNotContain(plan, l => l.TrimStart(' ', '-', '>').StartsWith("Sort ", StringComparison.Ordinal));
        }
    }
}
