using EdgeGateway.Storage;
using EdgeGateway.Testing;
using LiteDB;

namespace EdgeGateway.Tests.Storage;

/// <summary>
/// "On disk when the call returns": every byte LiteDB wrote to the log is covered by one fsync of
/// ours (LiteDB's own flushes are not fsyncs), and the files as they are at that instant (what a
/// kill -9 leaves) already hold the commit.
/// </summary>
public sealed class DurableLiteDatabaseTests
{
    [Fact]
    public void CommitDurably_LargeTransaction_OneFsyncCoversEveryLogWrite()
    {
        using var dir = new TempDirectory();
        using var store = DurableLiteDatabase.Open(Path.Combine(dir.Path, "test.db"));
        var log = store.LogStream;
        var syncsBefore = log.SyncCount;

        store.Database.BeginTrans();
        store.Database.GetCollection("docs").InsertBulk(Documents(0, 3000));
        store.CommitDurably();

        Assert.Equal(syncsBefore + 1, log.SyncCount);
        Assert.Equal(0, log.UnsyncedWrites);
        Assert.True(new FileInfo(store.LogFilePath).Length > 100 * 8192, "the commit went through the log file");
    }

    [Fact]
    public void Commit_LiteDbWriterDrained_NothingFsyncedUntilWaitDurable()
    {
        using var dir = new TempDirectory();
        using var store = DurableLiteDatabase.Open(Path.Combine(dir.Path, "test.db"));
        var log = store.LogStream;
        var syncsBefore = log.SyncCount;

        store.Database.BeginTrans();
        store.Database.GetCollection("docs").InsertBulk(Documents(0, 500));
        store.Database.Commit();
        new LiteDbWriterQueue(store.Database).WaitForWrites();

        // LiteDB's writer has written and "flushed" every page: without our fsync they are in the page cache only.
        Assert.Equal(syncsBefore, log.SyncCount);
        Assert.True(log.LiteDbFlushCount > 0, "LiteDB's writer flushed (a no-op here)");
        Assert.True(log.UnsyncedWrites > 0, "pages written but not yet fsynced");

        store.WaitDurable();

        Assert.Equal(syncsBefore + 1, log.SyncCount);
        Assert.Equal(0, log.UnsyncedWrites);
    }

    [Fact]
    public void WaitDurable_FilesCopiedWithoutClosing_CopyHoldsTheCommit()
    {
        using var dir = new TempDirectory();
        var crashed = dir.Sub("crashed");
        var path = Path.Combine(dir.Path, "test.db");
        using (var store = DurableLiteDatabase.Open(path))
        {
            store.Database.BeginTrans();
            store.Database.GetCollection("docs").InsertBulk(Documents(0, 2000));
            store.CommitDurably();
            store.Database.GetCollection("docs").Insert(new BsonDocument { ["_id"] = "auto-commit" });
            store.WaitDurable();
            CopyFiles(path, crashed);
        }

        using var reopened = DurableLiteDatabase.Open(Path.Combine(crashed, "test.db"));
        Assert.Equal(2001, reopened.Database.GetCollection("docs").Count());
    }

    [Fact]
    public void Open_PinnedLiteDb_WriterQueueReachableWithoutFallback()
    {
        using var dir = new TempDirectory();
        using var store = DurableLiteDatabase.Open(Path.Combine(dir.Path, "test.db"));

        // A LiteDB upgrade that moves these internals makes every commit a checkpoint: fail here first.
        Assert.Null(store.FallbackReason);
        Assert.True(store.DetectsWriterFailure);
    }

    [Fact]
    public void Open_WriterQueueMethodMissing_FallsBackToCheckpointAndStaysDurable()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "test.db");
        using var store = DurableLiteDatabase.Open(path, collation: null, waitMethod: "NoSuchWait");

        Assert.Contains("NoSuchWait", store.FallbackReason, StringComparison.Ordinal);
        store.Database.BeginTrans();
        store.Database.GetCollection("docs").InsertBulk(Documents(0, 300));
        store.CommitDurably();

        // The checkpoint copied the commit into the (fsynced) data file and emptied the log.
        Assert.Equal(0, new FileInfo(store.LogFilePath).Length);
        var copy = dir.Sub("copy");
        File.Copy(path, Path.Combine(copy, "test.db"));
        using var reopened = DurableLiteDatabase.Open(Path.Combine(copy, "test.db"));
        Assert.Equal(300, reopened.Database.GetCollection("docs").Count());
    }

    [Fact]
    public void Rebuild_ThenCommit_FilesCopiedWithoutClosing_CopyHoldsThePostRebuildCommit()
    {
        using var dir = new TempDirectory();
        var crashed = dir.Sub("crashed");
        var path = Path.Combine(dir.Path, "test.db");
        using (var store = DurableLiteDatabase.Open(path))
        {
            var docs = store.Database.GetCollection("docs");
            store.Database.BeginTrans();
            docs.InsertBulk(Documents(0, 2000));
            store.CommitDurably();
            docs.DeleteAll();
            store.WaitDurable();

            var saved = store.Rebuild();
            docs.Insert(new BsonDocument { ["_id"] = "after-rebuild" });
            store.WaitDurable();
            CopyFiles(path, crashed);

            Assert.True(saved > 0, $"rebuild saved {saved} bytes");
            Assert.True(new FileInfo(store.LogFilePath).Length > 0, "the post-rebuild commit is in the real -log file");
            Assert.Empty(Directory.GetFiles(dir.Path, "test-log-backup*"));
        }

        using var reopened = DurableLiteDatabase.Open(Path.Combine(crashed, "test.db"));
        Assert.NotNull(reopened.Database.GetCollection("docs").FindById("after-rebuild"));
        Assert.Equal(1, reopened.Database.GetCollection("docs").Count());
    }

    [Fact]
    public void Open_CorruptDataFile_ThrowsAndLeavesNothingOpen()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "test.db");
        File.WriteAllBytes(path, Enumerable.Repeat((byte)0x5A, 8192 * 4).ToArray());

        Assert.ThrowsAny<Exception>(() => DurableLiteDatabase.Open(path));

        // .NET takes an exclusive advisory lock for FileShare.None: it fails while our log handle is open.
        using (new FileStream(DurableLiteDatabase.LogPathFor(path), FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
        }
    }

    /// <summary>
    /// A full disk closes LiteDB's engine with the transaction open; LiteDB then leaves that transaction
    /// for its finalizer, which throws "discarded page must be writable" on the finalizer thread and ends
    /// the process once the thread that ran the transaction is gone. Here that thread is gone and the
    /// finalizers are made to run: without the suppression this test run crashes.
    /// </summary>
    [Fact]
    public void Dispose_EngineClosedByAFullDiskMidTransaction_NothingLeftForTheFinalizer()
    {
        using var disk = SmallFileSystem.Mount(3 * 1024 * 1024);
        var store = DurableLiteDatabase.Open(Path.Combine(disk.Path, "test.db"));
        Exception? failure = null;
        var writer = new Thread(() =>
        {
            store.Database.BeginTrans();
            store.Database.GetCollection("docs").InsertBulk(Documents(0, 200));
            store.CommitDurably();
            disk.Fill();
            try
            {
                for (var i = 1; i < 100; i++)
                {
                    store.Database.BeginTrans();
                    store.Database.GetCollection("docs").InsertBulk(Documents(i * 200, 200));
                    store.CommitDurably();
                }
            }
            catch (Exception ex)
            {
                failure = ex;
                try
                {
                    store.Database.Rollback();
                }
                catch (Exception)
                {
                    // what the outbox meets too: the engine is already closed
                }
            }
        });
        writer.Start();
        Assert.True(writer.Join(TimeSpan.FromSeconds(60)), "the writer finished");
        Assert.NotNull(failure);

        store.Dispose();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        GC.WaitForPendingFinalizers();

        Assert.True(store.AbandonedTransactions >= 1, "LiteDB left the failed transaction open");
    }

    [Fact]
    public void LogPathFor_FollowsLiteDbNaming()
    {
        Assert.Equal(Path.Combine("/data", "outbox-log.db"), DurableLiteDatabase.LogPathFor(Path.Combine("/data", "outbox.db")));
    }

    private static IEnumerable<BsonDocument> Documents(int from, int count) =>
        Enumerable.Range(from, count).Select(i => new BsonDocument { ["_id"] = $"doc-{i:D8}", ["pad"] = new string('x', 900) });

    private static void CopyFiles(string path, string target)
    {
        File.Copy(path, Path.Combine(target, Path.GetFileName(path)));
        var log = DurableLiteDatabase.LogPathFor(path);
        File.Copy(log, Path.Combine(target, Path.GetFileName(log)));
    }
}
