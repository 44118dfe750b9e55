using System.Reflection;
using EdgeGateway.Hosting;
using EdgeGateway.Storage;
using LiteDB;
using Microsoft.Extensions.Configuration;

namespace EdgeGateway.Tests.Storage;

/// <summary>
/// LiteDB's page cache, bounded: a database that commits one small document at a time (as the gateway does once a
/// second) writes a new log page per commit and, unbounded, caches every one of them until the checkpoint. With the
/// limit the cache stays near 162 + N pages and every document still reads back. The limit is process-wide; these
/// tests only ever set the gateway's default, as every host built in this test process does.
/// </summary>
public sealed class LiteDbCacheLimitTests
{
    private const int Segment = GatewayOptions.DefaultDatabaseCacheSegmentPages;

    [Fact]
    public void Apply_ManySmallCommits_CacheStaysBoundedAndEveryDocumentReadsBack()
    {
        Assert.Null(LiteDbCacheLimit.Apply(Segment));
        Assert.Equal([12, 50, Segment], LiteDbCacheLimit.Current);

        using var dir = new TempDirectory();
        using var store = DurableLiteDatabase.Open(Path.Combine(dir.Path, "bounded.db"));
        store.Database.CheckpointSize = 100_000; // no checkpoint: the log (and, unbounded, the cache) only grows
        var docs = store.Database.GetCollection("docs");
        const int Commits = 900;
        for (var i = 0; i < Commits; i++)
        {
            docs.Insert(new BsonDocument { ["_id"] = i, ["payload"] = new string((char)('a' + (i % 26)), 3000) });

            // As the gateway does after each commit. Pages still queued for LiteDB's writer are not idle, so without
            // this a writer lagging on a busy machine made the cache extend past the bound (562 pages in one CI run).
            store.WaitDurable();
        }

        var logPages = new FileInfo(store.LogFilePath).Length / 8192;
        Assert.True(logPages > 162 + (2 * Segment), $"the workload must touch more pages ({logPages} log pages) than the bounded cache holds");

        var cached = CachePages(store.Database);
        Assert.InRange(cached, 1, 162 + (2 * Segment));

        // Re-used pages must not mix up content: every document reads back whole, in order.
        var read = docs.Query().OrderBy("_id").ToList();
        Assert.Equal(Commits, read.Count);
        for (var i = 0; i < Commits; i++)
        {
            Assert.Equal(i, read[i]["_id"].AsInt32);
            Assert.Equal(new string((char)('a' + (i % 26)), 3000), read[i]["payload"].AsString);
        }
    }

    [Theory]
    [InlineData(null, Segment)]
    [InlineData("0", 0)]
    [InlineData("400", 400)]
    [InlineData("-1", Segment)]
    public void DatabaseCacheSegmentPagesOf_GatewaySetting_ReadsItOrTheDefault(string? value, int expected) =>
        Assert.Equal(expected, GatewayHost.DatabaseCacheSegmentPagesOf(Configuration(value)));

    [Fact]
    public void Apply_Zero_IsLiteDbsOwnGrowth()
    {
        // Checked on a copy of the rule, not by setting it process-wide (other tests open databases meanwhile).
        Assert.Equal([12, 50, 100, 500, 1000], LiteDbCacheLimit.SegmentsFor(0));
        Assert.Equal([12, 50, 300], LiteDbCacheLimit.SegmentsFor(300));
    }

    private static IConfiguration Configuration(string? pages) => new ConfigurationBuilder()
        .AddInMemoryCollection(pages is null ? [] : [new("Gateway:DatabaseCacheSegmentPages", pages)])
        .Build();

    /// <summary>Pages LiteDB's cache holds (<c>LiteEngine._disk.Cache.ExtendPages</c>, LiteDB 5.0.20).</summary>
    private static int CachePages(LiteDatabase database)
    {
        const BindingFlags Any = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
        var engine = typeof(LiteDatabase).GetField("_engine", Any)!.GetValue(database)!;
        var disk = engine.GetType().GetField("_disk", Any)!.GetValue(engine)!;
        var cache = disk.GetType().GetProperty("Cache", Any)!.GetValue(disk)!;
        return (int)cache.GetType().GetProperty("ExtendPages", Any)!.GetValue(cache)!;
    }
}
