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
    public async Task Retention_DropsTheDedupeKeysOfDroppedDaysOnly()
    {
        await using var dataSource = await PostgreSqlTestDatabase.CreateAsync(cluster);
        var store = new PostgreSqlFleetStore(dataSource);
        var old = At("car-1", 1, Now.AddDays(-10));
        old.DedupeKey = "lip-car-1-OLD";
        var recent = At("car-1", 2, Now);
        recent.DedupeKey = "lip-car-1-NEW";
        await store.StoreEnvelopesAsync([old], Now.AddDays(-10), Ct);
        await store.StoreEnvelopesAsync([recent], Now, Ct);

        await store.DropPartitionsBeforeAsync(Now.AddDays(-5), Ct);

        await using var keys = dataSource.CreateCommand("SELECT array_agg(dedupe_key) FROM envelope_dedupe");
        Assert.Equal(["lip-car-1-NEW"], (string[])(await keys.ExecuteScalarAsync(Ct))!);
        var again = At("car-1", 3, Now);
        again.DedupeKey = "lip-car-1-NEW";
        Assert.Equal(new StoreBatchResult(0, 1), await store.StoreEnvelopesAsync([again], Now, Ct));
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
    public async Task DevicePageQueries_EachUsesAnIndex()
    {
        await using var dataSource = await PostgreSqlTestDatabase.CreateAsync(cluster);
        await using (var fill = dataSource.CreateCommand(
            "INSERT INTO devices (device_id, role, online) SELECT 'car-' || lpad(g::text, 5, '0'), CASE WHEN g % 50 = 0 THEN 'Dock' ELSE 'Vehicle' END, g % 3 = 0 " +
            "FROM generate_series(1, 5000) g; ANALYZE devices"))
        {
            await fill.ExecuteNonQueryAsync(Ct);
        }

        (string Name, DeviceQuery Query, string[] Indexes)[] cases =
        [
            ("all", new(), []),
            ("online", new(Online: true, Offset: 100), []),
            ("id contains", new("r-0012"), ["devices_id_trgm"]),
            ("role contains", new("dOcK"), ["devices_id_trgm", "devices_role_trgm"]),
            ("role contains, offline", new("dOcK", Online: false), []), // trigram or (online, device_id) index, as the planner prices them
        ];
        foreach (var (name, query, indexes) in cases)
        {
            var filter = !string.IsNullOrEmpty(query.Filter);
            var online = query.Online is not null;
            var count = PostgreSqlFleetStore.DevicePageCommand(PostgreSqlFleetStore.DeviceMatchCountQuery(filter, online), query);
            var countPlan = await ExplainAsync(dataSource, count.CommandText, [.. count.Parameters.Select(p => p.Clone())], allowBitmapAndSort: true);
            var page = PostgreSqlFleetStore.DevicePageCommand(PostgreSqlFleetStore.DevicePageQuery(filter, online), query);
            page.Parameters.AddWithValue("n", 100);
            page.Parameters.AddWithValue("k", query.Offset);
            var pagePlan = await ExplainAsync(dataSource, page.CommandText, [.. page.Parameters.Select(p => p.Clone())], allowBitmapAndSort: filter);

            foreach (var plan in new[] { countPlan, pagePlan })
            {
                Assert.False(plan.Contains("Seq Scan", StringComparison.Ordinal), $"{name}: sequential scan in\n{plan}");
            }

            // Counting the matches reads the trigram indexes. The page may read them too, or walk the primary key in id
            // order filtering on the way and stop after the page (the planner's choice when the pattern's trigrams are
            // common to most ids); either way an index, never a sequential scan.
            Assert.All(indexes, index => Assert.True(countPlan.Contains(index, StringComparison.Ordinal), $"{name}: count does not use {index}\n{countPlan}"));
            Assert.True(pagePlan.Contains("Index", StringComparison.Ordinal), $"{name}: page uses no index\n{pagePlan}");
            Assert.False(!filter && Sorts(pagePlan), $"{name}: page not read in index order\n{pagePlan}");
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
    /// <remarks>
    /// <paramref name="allowBitmapAndSort"/> keeps bitmap scans and sorts priced normally: a trigram GIN index is read only
    /// by a bitmap scan, and the few devices a filter matches are then sorted by id.
    /// </remarks>
    private static async Task<string> ExplainAsync(NpgsqlDataSource dataSource, string sql, NpgsqlParameter[] parameters, bool allowBitmapAndSort = false)
    {
        await using var connection = await dataSource.OpenConnectionAsync(Ct);
        await using (var off = new NpgsqlCommand(allowBitmapAndSort ? "SET enable_seqscan = off" : "SET enable_seqscan = off; SET enable_bitmapscan = off; SET enable_sort = off", connection))
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
