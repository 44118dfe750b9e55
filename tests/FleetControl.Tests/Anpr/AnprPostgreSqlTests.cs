using EdgeGateway.Contracts.V1;
using FleetControl.Anpr;
using FleetControl.Anpr.PostgreSql;
using FleetControl.Tests.Store.PostgreSql;
using Npgsql;

namespace FleetControl.Tests.Anpr;

/// <summary>What only the PostgreSQL ANPR stores have: an index behind every search, a hotlist shared by instances.</summary>
public sealed class AnprPostgreSqlTests(PostgreSqlCluster cluster)
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 18, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReadQueries_EachShapeUsesAnIndex()
    {
        await using var dataSource = await PostgreSqlTestDatabase.CreateAsync(cluster);
        using var vault = new TempDirectory();
        var store = new PostgreSqlAnprReadStore(dataSource, vault.Path);
        var random = new Random(7);
        for (var day = 0; day < 3; day++)
        {
            // Reads only (no images: the plans do not need files), spread over England, 40 vehicles, 300 plates.
            var batch = Enumerable.Range(0, 400).Select(i => AnprEnvelopes.Read(
                "car-" + (i % 40), (ulong)((day * 1000) + i), $"AB{i % 300:000}CD", Now.AddDays(-day).AddSeconds(-i * 60),
                50 + (random.NextDouble() * 4), -4 + (random.NextDouble() * 5)).Read).ToList();
            batch.Add(AnprEnvelopes.Hit("car-1", (ulong)(day + 5000), "XY05ZZZ", Now.AddDays(-day), 51.5, -0.1));
            await store.StoreAsync(batch, Ct);
        }

        await using (var analyze = dataSource.CreateCommand("ANALYZE"))
        {
            await analyze.ExecuteNonQueryAsync(Ct);
        }

        var area = (51.70, -0.20, 51.75, -0.10);
        (string Shape, AnprReadQuery Query, bool AreaIndex)[] shapes =
        [
            ("everything", new(null, null, null, null, null, 100), false),
            ("vrm", new("ab007cd", null, null, null, null, 100), false),
            ("from", new(null, Now.AddDays(-1), null, null, null, 100), false),
            ("to", new(null, null, Now.AddDays(-1), null, null, 100), false),
            ("window", new(null, Now.AddDays(-2), Now.AddDays(-1), null, null, 100), false),
            ("vrm, window", new("AB007CD", Now.AddDays(-2), Now, null, null, 100), false),
            ("device", new(null, null, null, "car-7", null, 100), false),
            ("device, window", new(null, Now.AddHours(-6), Now, "car-7", null, 100), false),
            ("vrm, device", new("AB007CD", null, null, "car-7", null, 100), false),
            ("area", new(null, null, null, null, area, 100), true),
            ("area, window", new(null, Now.AddDays(-1), Now, null, area, 100), false),
            ("area, vrm", new("AB007CD", null, null, null, area, 100), false),
        ];
        foreach (var (shape, query, areaIndex) in shapes)
        {
            await using var cmd = dataSource.CreateCommand();
            PostgreSqlAnprReadStore.PrepareSearch(cmd, query);
            var plan = await ExplainAsync(dataSource, cmd.CommandText, [.. cmd.Parameters.Select(p => p.Clone())], allowBitmapAndSort: areaIndex);
            Assert.True(plan.Contains("Index", StringComparison.Ordinal) && !plan.Contains("Seq Scan", StringComparison.Ordinal), $"{shape}: no index in\n{plan}");
            if (areaIndex)
            {
                // An area alone is found through the GiST index on point(longitude, latitude); its few matches are then sorted.
                Assert.True(plan.Split('\n').Any(l => l.Contains("Index Cond", StringComparison.Ordinal) && l.Contains("<@", StringComparison.Ordinal)), $"{shape}: the area index is not used\n{plan}");
            }
            else
            {
                Assert.False(Sorts(plan), $"{shape}: sorts instead of reading index order\n{plan}");
            }
        }

        (string Name, string Sql, NpgsqlParameter[] Parameters, bool Ordered)[] queries =
        [
            ("hits", PostgreSqlAnprReadStore.RecentHitsQuery, [new("limit", 100)], true),
            ("image", PostgreSqlAnprReadStore.ImageQuery, [new("r", Guid.NewGuid().ToString()), new("k", "plate")], false),
            ("image states", PostgreSqlAnprReadStore.ImageStatesQuery, [new("ids", new[] { Guid.NewGuid().ToString() })], false),
        ];
        foreach (var (name, sql, parameters, ordered) in queries)
        {
            var plan = await ExplainAsync(dataSource, sql, parameters);
            Assert.True(plan.Contains("Index", StringComparison.Ordinal) && !plan.Contains("Seq Scan", StringComparison.Ordinal), $"{name}: no index in\n{plan}");
            Assert.False(ordered && Sorts(plan), $"{name}: sorts instead of reading index order\n{plan}");
        }
    }

    [Fact]
    public async Task Hotlist_TwoInstances_VersionsFromOneSequence_SameDeltas()
    {
        await using var dataSource = await PostgreSqlTestDatabase.CreateAsync(cluster);
        var a = new PostgreSqlHotlistStore(dataSource);
        var b = new PostgreSqlHotlistStore(dataSource);

        var first = a.ChangeHotlist([Entry("AB12CDE"), Entry("XY05ZZZ")], []);
        var second = b.ChangeHotlist([Entry("LM70ABC")], ["XY05ZZZ", "NOTLISTED"]);
        var concurrent = await Task.WhenAll(
            Task.Run(() => a.ChangeHotlist([Entry("CC11AAA")], []), Ct),
            Task.Run(() => b.ChangeHotlist([Entry("DD22BBB")], []), Ct)).WaitAsync(TimeSpan.FromSeconds(60), Ct);

        Assert.Equal((1L, 0L), (first.Version, first.BaseVersion));
        Assert.Equal((2L, 1L), (second.Version, second.BaseVersion));
        Assert.Equal(["XY05ZZZ"], second.Removals); // only what was on the list
        Assert.Equal([3L, 4L], concurrent.Select(d => d.Version).Order());
        Assert.Equal([2L, 3L], concurrent.Select(d => d.BaseVersion).Order()); // one chain, whichever committed first
        Assert.Equal(4L, a.HotlistVersion);
        Assert.Equal(4L, b.HotlistVersion);
        Assert.Equal(["AB12CDE", "CC11AAA", "DD22BBB", "LM70ABC"], b.HotlistEntries().Select(e => e.Vrm));

        // A vehicle at version 1 gets the same combined delta from either instance.
        foreach (var store in new[] { a, b })
        {
            var delta = store.DeltaSince(1)!;
            Assert.Equal((4L, 1L), (delta.Version, delta.BaseVersion));
            Assert.Equal(["CC11AAA", "DD22BBB", "LM70ABC"], delta.Upserts.Select(e => e.Vrm).Order(StringComparer.Ordinal));
            Assert.Equal(["XY05ZZZ"], delta.Removals);
        }

        Assert.Null(a.DeltaSince(0)); // holds nothing: a snapshot
        Assert.Null(a.DeltaSince(4)); // current
        Assert.Null(a.DeltaSince(9)); // not a version this list has had

        a.SaveDevice(new HotlistDeviceRecord("car-1", 1, Now, ["cmd-1"], 4));
        b.SaveDevice(new HotlistDeviceRecord("car-1", 4, Now.AddMinutes(1), [], 4));
        var device = Assert.Single(a.DevicesHoldingHotlists());
        Assert.Equal(("car-1", 4L, Now.AddMinutes(1), 0), (device.DeviceId, device.Version, device.ReportedAt, device.PendingCommands.Count));
        Assert.Null(b.Device("car-2"));
    }

    [Fact]
    public async Task Purge_TwoInstancesAtOnce_EachDroppedPartitionCountedOnce()
    {
        await using var dataSource = await PostgreSqlTestDatabase.CreateAsync(cluster);
        using var vault = new TempDirectory();
        var a = new PostgreSqlAnprReadStore(dataSource, vault.Path);
        var b = new PostgreSqlAnprReadStore(dataSource, vault.Path);
        for (var day = 1; day <= 4; day++)
        {
            var (read, images) = AnprEnvelopes.Read("car-1", (ulong)day, "AB12CDE", Now.AddDays(-day), 51.5, -0.1);
            await a.StoreAsync([read, .. images, AnprEnvelopes.Hit("car-2", (ulong)(day + 10), "XY05ZZZ", Now.AddDays(-day), 51.5, -0.1)], Ct);
        }

        var purged = await Task.WhenAll(a.PurgeAsync(Now.AddDays(-2), Ct), b.PurgeAsync(Now.AddDays(-2), Ct)).WaitAsync(TimeSpan.FromSeconds(60), Ct);

        // Days -4 and -3 end before the cut-off's day: two reads and two hits' reads, four images each, two hits.
        Assert.Equal(new AnprPurgeResult(4, 8, 2), new AnprPurgeResult(purged.Sum(p => p.Reads), purged.Sum(p => p.Images), purged.Sum(p => p.Hits)));
        Assert.Equal(4, (await a.SearchAsync(new AnprReadQuery(null, null, null, null, null, 100), Ct)).Count);
        Assert.Equal(
            [AnprImageFilesDay(Now.AddDays(-2)), AnprImageFilesDay(Now.AddDays(-1))],
            Directory.EnumerateDirectories(vault.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    private static string AnprImageFilesDay(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);

    private static HotlistEntry Entry(string vrm) => new() { Vrm = vrm, List = "stolen", Reason = "Stolen" };

    private static bool Sorts(string plan) => plan.Split('\n').Select(l => l.TrimStart(' ', '-', '>')).Any(l => l.StartsWith("Sort ", StringComparison.Ordinal) || l.StartsWith("Incremental Sort", StringComparison.Ordinal));

    /// <summary>The plan with sequential scans (and unless allowed, bitmap scans and sorts) priced out, as in <c>PostgreSqlStoreTests</c>.</summary>
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
}
