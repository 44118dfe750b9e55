using EdgeGateway.Storage;
using LiteDB;

namespace EdgeGateway.Tests.Storage;

/// <summary>
/// <see cref="DurableLiteDatabase.SyncBehind"/>: a second thread fsyncs what the owner committed,
/// beside the owner's own durable commits (counted in fsyncs and unsynced writes, never timed).
/// </summary>
public sealed class DurableLiteDatabaseSyncBehindTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task SyncBehind_FromAnotherThread_FsyncsTheCommitOnceThenHasNothingLeft()
    {
        using var dir = new TempDirectory();
        using var store = DurableLiteDatabase.Open(Path.Combine(dir.Path, "test.db"));
        var log = store.LogStream;
        store.Database.BeginTrans();
        store.Database.GetCollection("docs").InsertBulk(Documents(0, 200));
        store.Database.Commit(); // not durable yet
        var syncsBefore = log.SyncCount;

        var first = await Task.Run(store.SyncBehind, TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken);
        var second = await Task.Run(store.SyncBehind, TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken);

        Assert.True(first);
        Assert.False(second); // nothing unsynced: no second fsync
        Assert.Equal(syncsBefore + 1, log.SyncCount);
        Assert.Equal(0, log.UnsyncedWrites);
    }

    [Fact]
    public async Task SyncBehind_BesideTheOwnersDurableCommits_EveryCommitKept()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "test.db");
        const int Commits = 60;
        using (var store = DurableLiteDatabase.Open(path))
        {
            var owner = Task.Run(() =>
            {
                var docs = store.Database.GetCollection("docs");
                for (var i = 0; i < Commits; i++)
                {
                    store.Database.BeginTrans();
                    docs.Insert(Documents(i * 10, 10));
                    store.CommitDurably();
                }
            }, TestContext.Current.CancellationToken);
            var behind = 0;
            while (!owner.IsCompleted)
            {
                store.SyncBehind();
                behind++;
                await Task.Yield();
            }

            await owner.WaitAsync(Timeout, TestContext.Current.CancellationToken);
            Assert.True(behind > 0);
            Assert.True(store.LogStream.SyncCount >= Commits, "every durable commit fsynced");
            Assert.Equal(0, store.LogStream.UnsyncedWrites);
        }

        using var reopened = DurableLiteDatabase.Open(path);
        Assert.Equal(Commits * 10, reopened.Database.GetCollection("docs").Count());
    }

    [Fact]
    public void SyncBehind_AfterDispose_ThrowsObjectDisposed()
    {
        using var dir = new TempDirectory();
        var store = DurableLiteDatabase.Open(Path.Combine(dir.Path, "test.db"));
        store.Dispose();

        Assert.Throws<ObjectDisposedException>(() => store.SyncBehind());
    }

    private static IEnumerable<BsonDocument> Documents(int from, int count) =>
        Enumerable.Range(from, count).Select(i => new BsonDocument { ["_id"] = $"doc-{i:D8}", ["pad"] = new string('x', 900) });
}
