using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Outbox;

namespace EdgeGateway.Tests.Outbox;

/// <summary>
/// The delete-behind fsyncs its own commits outside the outbox lock, so an urgent enqueue after it
/// flushes only its own commit (counted in log writes and fsyncs, never timed).
/// </summary>
public sealed class LiteDbOutboxSyncBehindTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task DeleteBehind_SyncsItsDeletes_SoTheNextEmergencyFlushesOnlyItsOwnCommit()
    {
        // No LiteDB checkpoint in this test: its log truncation would count as an unsynced write.
        using var context = OutboxTestContext.Create(o => o.CheckpointPages = 100_000);
        var cancellationToken = TestContext.Current.CancellationToken;
        for (var i = 0; i < 100; i++)
        {
            await context.AcceptAsync(PriorityClass.Telemetry);
        }

        var leased = await context.LeaseAllAsync();
        Assert.Equal(100, leased.Count);
        var log = context.Outbox.DurableFile!.LogStream;
        Assert.Equal(0, log.UnsyncedWrites); // every accept was durable before it returned

        var turns = new List<(bool Synced, int Pending)>();
        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        context.Outbox.DeleteBehindSynced = (synced, pending) =>
        {
            lock (turns)
            {
                turns.Add((synced, pending));
            }

            if (pending == 0)
            {
                drained.TrySetResult();
            }
        };
        var syncsBeforeAck = log.SyncCount;

        await context.Outbox.AcknowledgeAsync(leased.Select(m => m.MessageId).ToList(), cancellationToken);
        await drained.Task.WaitAsync(Timeout, cancellationToken);

        // The deletes are on disk without any enqueue having paid for them: nothing is left unsynced.
        lock (turns)
        {
            Assert.Contains(turns, t => t.Synced);
            Assert.Equal(0, turns[^1].Pending);
        }

        Assert.True(log.SyncCount > syncsBeforeAck, "the delete-behind fsynced its commit");
        Assert.Equal(0, log.UnsyncedWrites);

        // An Emergency now commits and fsyncs exactly once, covering only its own pages.
        var syncsBeforeEmergency = log.SyncCount;
        Assert.Equal(EnqueueResult.Accepted, await context.AcceptAsync(PriorityClass.Emergency, "sos"));
        Assert.Equal(syncsBeforeEmergency + 1, log.SyncCount);
        Assert.Equal(0, log.UnsyncedWrites);

        // And the file holds exactly that: the acknowledged 100 are gone, the Emergency is there.
        context.Reopen();
        var after = await context.LeaseAllAsync();
        Assert.Equal(PriorityClass.Emergency, Assert.Single(after).Priority);
    }
}
