using EdgeGateway.Contracts.V1;
using EdgeGateway.Outbox;
using EdgeGateway.Outbox.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeGateway.Tests.Outbox;

/// <summary>
/// A transaction that fails on a file LiteDB can no longer read (its engine closed after an I/O error,
/// or a damaged page): the in-memory state goes back to the last committed one, so the failed
/// transaction's drops are not carried into the reopened file and counted a second time.
/// </summary>
public sealed class OutboxStoreRollbackTests : IDisposable
{
    private static readonly int Telemetry = OutboxClassDefaults.IndexOf(PriorityClass.Telemetry);

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("outbox-rollback-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public void RollbackAndReload_FileUnreadable_StateIsTheLastCommittedNotTheFailedTransaction()
    {
        using var store = TwoLostCommittedFiveMoreInTransaction();
        store.DurableFile!.Database.Dispose(); // the engine is gone, as LiteDB leaves it after an I/O error
        store.RollbackAndReload(_ => { });

        Assert.NotNull(store.Failure);
        Assert.Equal(2UL, store.State.DropTotals[(Telemetry, "expired")]);
        Assert.Equal(2UL, store.State.PendingLosses[(Telemetry, "expired")].Count);
    }

    [Fact]
    public void RollbackAndReload_FileReadable_StateIsReadBackFromTheFile()
    {
        using var store = TwoLostCommittedFiveMoreInTransaction();
        store.RollbackAndReload(_ => { });

        Assert.Null(store.Failure);
        Assert.Equal(2UL, store.State.DropTotals[(Telemetry, "expired")]);
    }

    // Two expired messages committed, then a transaction that counts five more and has not committed.
    private OutboxStore TwoLostCommittedFiveMoreInTransaction()
    {
        var store = new OutboxStore(Path.Combine(_directory.FullName, "outbox.db"), checkpointPages: 1000, NullLogger.Instance);
        Assert.True(store.TryOpen(DateTimeOffset.UnixEpoch, out _));
        store.Begin();
        store.State.RecordLoss(Telemetry, "expired", 2, capturedMs: null, stream: "gnss");
        store.SaveState();
        store.Commit();

        store.Begin();
        store.State.RecordLoss(Telemetry, "expired", 5, capturedMs: null, stream: "gnss");
        store.SaveState();
        return store;
    }
}
