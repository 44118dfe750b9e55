using EdgeGateway.Contracts.V1;
using FleetControl.Store;
using FleetControl.Store.PostgreSql;
using FleetControl.Tests.Infrastructure;
using Google.Protobuf.WellKnownTypes;
using Npgsql;
using NpgsqlTypes;

namespace FleetControl.Tests.Store.PostgreSql;

/// <summary>What only the PostgreSQL store has: migrations under a lock, partitions, indexes, several instances at once.</summary>
public sealed class PostgreSqlStoreTests(PostgreSqlCluster cluster)
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 18, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Migrate_ThreeInstancesAtOnce_EachVersionAppliedExactlyOnce()
    {
        var connectionString = await cluster.CreateDatabaseAsync();
        var sources = Enumerable.Range(0, 3).Select(_ => NpgsqlDataSource.Create(connectionString)).ToList();
        try
        {
            var applied = await Task.WhenAll(sources.Select(s => PostgreSqlMigrations.MigrateAsync(s, Ct))).WaitAsync(TimeSpan.FromSeconds(60), Ct);
            var again = await PostgreSqlMigrations.MigrateAsync(sources[0], Ct);

            Assert.Equal(PostgreSqlMigrations.All.Select(m => m.Version), applied.SelectMany(a => a).Order());
            Assert.Empty(again);
            await using var count = sources[0].CreateCommand("SELECT count(*) FROM fc_schema_migrations");
            Assert.Equal((long)PostgreSqlMigrations.All.Count, await count.ExecuteScalarAsync(Ct));
        }
        finally
        {
            foreach (var s in sources)
            {
                await s.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task StoreEnvelopes_TwoInstancesSameBatchAtOnce_EachEnvelopeStoredOnce()
    {
        await using var dataSource = await PostgreSqlTestDatabase.CreateAsync(cluster);
        var a = new PostgreSqlFleetStore(dataSource);
        var b = new PostgreSqlFleetStore(dataSource);
        var batch = Enumerable.Range(1, 200).Select(i => TestEnvelopes.Position("car-" + (i % 7), (ulong)i)).ToList();
        var reversed = batch.AsEnumerable().Reverse().ToList();

        var results = await Task.WhenAll(a.StoreEnvelopesAsync(batch, Now, Ct), b.StoreEnvelopesAsync(reversed, Now, Ct)).WaitAsync(TimeSpan.FromSeconds(60), Ct);

        Assert.Equal(200, results.Sum(r => r.Stored));
        Assert.Equal(200, results.Sum(r => r.Duplicates));
        Assert.Equal(200, await a.CountEnvelopesAsync(Ct));
        await using var count = dataSource.CreateCommand("SELECT (SELECT count(*) FROM envelopes) + (SELECT count(*) FROM positions)");
        Assert.Equal(400L, await count.ExecuteScalarAsync(Ct));
    }

    [Fact]
    public async Task Retention_DropsWholeDayPartitions_AndAnOldDayCanComeBack()
    {
        await using var dataSource = await PostgreSqlTestDatabase.CreateAsync(cluster);
        var store = new PostgreSqlFleetStore(dataSource);
        var other = new PostgreSqlFleetStore(dataSource); // another instance that remembers the old day's partition
        var old = At("car-1", 1, Now.AddDays(-10));
        await store.StoreEnvelopesAsync([old, At("car-1", 2, Now.AddDays(-3)), At("car-1", 3, Now)], Now, Ct);
        await other.StoreEnvelopesAsync([At("car-2", 1, Now.AddDays(-10))], Now, Ct);

        var dropped = await store.DropPartitionsBeforeAsync(Now.AddDays(-5), Ct);

        Assert.Equal(["envelopes_p20261113", "positions_p20261113"], dropped);
        Assert.Equal([3UL, 2UL], (await store.GetPositionsAsync("car-1", 10, Ct)).Select(p => p.Sequence));
        Assert.Equal(["envelopes_p20261120", "envelopes_p20261123", "positions_p20261120", "positions_p20261123"], await PartitionsAsync(dataSource));

        // The instance that had made that day's partition before it was dropped stores into it again.
        var late = await other.StoreEnvelopesAsync([At("car-2", 2, Now.AddDays(-10))], Now, Ct);
        Assert.Equal(new StoreBatchResult(1, 0), late);
        Assert.Contains("positions_p20261113", await PartitionsAsync(dataSource));
    }

    [Fact]
    public async Task ReadQueries_EachUsesAnIndex()
    {
        await using var dataSource = await PostgreSqlTestDatabase.CreateAsync(cluster);
        var store = new PostgreSqlFleetStore(dataSource);
        for (var day = 0; day < 3; day++)
        {
            await store.StoreEnvelopesAsync(
                [.. Enumerable.Range(1, 50).SelectMany(i => new[] { At("car-" + (i % 10), (ulong)i, Now.AddDays(-day).AddSeconds(i)), TestEnvelopes.Health("car-" + (i % 10), (ulong)(i + (day * 100))), TestEnvelopes.Event("car-" + (i % 10), (ulong)(i + (day * 100))), TestEnvelopes.DataLoss("car-" + (i % 10), (ulong)(i + (day * 100))) })],
                Now,
                Ct);
        }

        await using var analyze = dataSource.CreateCommand("ANALYZE");
        await analyze.ExecuteNonQueryAsync(Ct);
        var from = new NpgsqlParameter("from", NpgsqlDbType.TimestampTz) { Value = Now.AddDays(-2).UtcDateTime };
        var to = new NpgsqlParameter("to", NpgsqlDbType.TimestampTz) { Value = Now.UtcDateTime };
        (string Name, string Sql, NpgsqlParameter[] Parameters, bool Ordered)[] queries =
        [
            ("devices", PostgreSqlFleetStore.DevicesQuery, [], true),
            ("device", PostgreSqlFleetStore.DeviceQuery, [new("id", "car-1")], false),
            ("positions", PostgreSqlFleetStore.PositionsQuery, [new("d", "car-1"), new("n", 10)], true),
            ("positions window", PostgreSqlFleetStore.PositionsWindowQuery, [new("d", "car-1"), from.Clone(), to.Clone(), new("n", 10)], true),
            ("positions window after", PostgreSqlFleetStore.PositionsWindowAfterQuery, [new("d", "car-1"), from.Clone(), to.Clone(), new("at", NpgsqlDbType.TimestampTz) { Value = Now.AddDays(-1).UtcDateTime }, new("after", "m"), new("n", 10)], true),
            ("data loss", PostgreSqlFleetStore.DataLossQuery, [new("d", "car-1")], true),
            ("health", PostgreSqlFleetStore.HealthQuery, [new("d", "car-1"), from.Clone(), to.Clone(), new("n", 10)], true),
            ("events", PostgreSqlFleetStore.EventsQuery, [new("d", "car-1"), new("n", 10)], true),
        ];

        foreach (var (name, sql, parameters, ordered) in queries)
        {
            var plan = await ExplainAsync(dataSource, sql, parameters);
            Assert.True(plan.Contains("Index", StringComparison.Ordinal) && !plan.Contains("Seq Scan", StringComparison.Ordinal), $"{name}: no index in\n{plan}");
            Assert.False(ordered && Sorts(plan), $"{name}: sorts instead of reading index order\n{plan}");
        }
    }

    [Fact]
    public async Task EvidenceSearches_EachUsesAnIndex()
    {
        await using var dataSource = await PostgreSqlTestDatabase.CreateAsync(cluster);
        FleetControl.Evidence.EvidenceQuery[] queries =
        [
            new(),
            new(DeviceId: "dock-1"),
            new(CameraSerial: "BWV1", From: Now.AddDays(-1), To: Now),
            new(OfficerId: "PC1", Cursor: "638991360000000000_ev-1"),
            new(Category: "arrest"),
            new(Trigger: "emergency", Limit: 5),
        ];
        foreach (var query in queries)
        {
            await using var cmd = dataSource.CreateCommand();
            FleetControl.Evidence.PostgreSqlEvidenceCatalog.PrepareSearch(cmd, query);
            var plan = await ExplainAsync(dataSource, cmd.CommandText, [.. cmd.Parameters.Select(p => p.Clone())]);
            Assert.True(plan.Contains("Index", StringComparison.Ordinal) && !plan.Contains("Seq Scan", StringComparison.Ordinal), $"{query}: no index in\n{plan}");
            Assert.False(Sorts(plan), $"{query}: sorts instead of reading index order\n{plan}");
        }
    }

    /// <summary>True when a plan has a Sort node (Merge Append's own "Sort Key" line is not one).</summary>
    private static bool Sorts(string plan) => plan.Split('\n').Select(l => l.TrimStart(' ', '-', '>')).Any(l => l.StartsWith("Sort ", StringComparison.Ordinal) || l.StartsWith("Incremental Sort", StringComparison.Ordinal));

    /// <summary>
    /// The plan with sequential scans, bitmap scans and sorts priced out (tiny test tables would
    /// otherwise make any of them cheapest): a query that no index serves still shows "Seq Scan", and
    /// one whose order no index gives still shows a Sort.
    /// </summary>
    private static async Task<string> ExplainAsync(NpgsqlDataSource dataSource, string sql, NpgsqlParameter[] parameters)
    {
        await using var connection = await dataSource.OpenConnectionAsync(Ct);
        await using (var off = new NpgsqlCommand("SET enable_seqscan = off; SET enable_bitmapscan = off; SET enable_sort = off", connection))
        {
            await off.ExecuteNonQueryAsync(Ct);
        }

        await using var explain = new NpgsqlCommand("EXPLAIN " + sql, connection);
        explain.Parameters.AddRange(parameters);
        var lines = new List<string>();
        await using var reader = await explain.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            lines.Add(reader.GetString(0));
        }

        return string.Join('\n', lines);
    }

    private static async Task<List<string>> PartitionsAsync(NpgsqlDataSource dataSource)
    {
        await using var cmd = dataSource.CreateCommand(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE c.relkind = 'r' ORDER BY c.relname COLLATE \"C\"");
        var names = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    private static Envelope At(string deviceId, ulong sequence, DateTimeOffset at)
    {
        var e = TestEnvelopes.Position(deviceId, sequence);
        e.CapturedAt = Timestamp.FromDateTimeOffset(at);
        e.Position.FixTime = Timestamp.FromDateTimeOffset(at);
        return e;
    }
}
