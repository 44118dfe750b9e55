using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Outbox;
using EdgeGateway.Outbox.Storage;

namespace EdgeGateway.Tests.Outbox;

public sealed class LiteDbOutboxMaintenanceTests
{
    [Fact]
    public async Task RunMaintenance_IdleAfterDrain_CompactsAndStaysDurable()
    {
        using var context = OutboxTestContext.Create(o =>
        {
            o.CompactionIdleAfter = TimeSpan.FromMinutes(1);
            o.CompactionMinFileBytes = 0;
        });
        for (var i = 0; i < 500; i++)
        {
            await context.AcceptAsync(PriorityClass.Bulk, "evidence", padding: 4000);
        }

        var all = await context.LeaseAllAsync();
        await context.Outbox.AcknowledgeAsync(all.Select(m => m.MessageId).ToList(), TestContext.Current.CancellationToken);
        context.Outbox.RunMaintenance(); // not idle long enough yet: checkpoint only
        var before = context.Outbox.GetStatistics().DataFileBytes;
        context.FakeTime.Advance(TimeSpan.FromMinutes(2));

        context.Outbox.RunMaintenance();
        var after = context.Outbox.GetStatistics().DataFileBytes;
        var accepted = await context.AcceptAsync(PriorityClass.Alert, "hits");
        context.Reopen();

        Assert.True(after < before / 2, $"compaction {before} -> {after} bytes");
        Assert.Equal(EnqueueResult.Accepted, accepted);
        Assert.Equal("hits", Assert.Single(await context.LeaseAllAsync()).Stream);
    }

    [Fact]
    public async Task RunMaintenance_Compacted_LaterAcceptSurvivesCrashCopy()
    {
        using var crashed = new TempDirectory();
        using var context = OutboxTestContext.Create(o =>
        {
            o.CompactionIdleAfter = TimeSpan.FromMinutes(1);
            o.CompactionMinFileBytes = 0;
        });
        for (var i = 0; i < 300; i++)
        {
            await context.AcceptAsync(PriorityClass.Bulk, "evidence", padding: 4000);
        }

        var all = await context.LeaseAllAsync();
        await context.Outbox.AcknowledgeAsync(all.Select(m => m.MessageId).ToList(), TestContext.Current.CancellationToken);
        context.Outbox.RunMaintenance();
        var before = context.Outbox.GetStatistics().DataFileBytes;
        context.FakeTime.Advance(TimeSpan.FromMinutes(2));
        context.Outbox.RunMaintenance();
        Assert.True(context.Outbox.GetStatistics().DataFileBytes < before / 2, "compacted");

        // Accepted after the rebuild, then the files as a kill -9 would leave them (no close, no checkpoint).
        Assert.Equal(EnqueueResult.Accepted, await context.AcceptAsync(PriorityClass.Alert, "hits"));
        File.Copy(context.DataFile, Path.Combine(crashed.Path, "outbox.db"));
        File.Copy(OutboxStoreFile.LogFileFor(context.DataFile), Path.Combine(crashed.Path, "outbox-log.db"));
        context.CopyKeysTo(crashed.Path);

        using var reopened = OutboxTestContext.Create(directory: crashed.Path);
        Assert.Equal("hits", Assert.Single(await reopened.LeaseAllAsync()).Stream);
    }

    [Fact]
    public async Task RunMaintenance_IdleWithLog_CheckpointEmptiesLog()
    {
        using var context = OutboxTestContext.Create();
        for (var i = 0; i < 50; i++)
        {
            await context.AcceptAsync(PriorityClass.Read, "anpr", padding: 1000);
        }

        Assert.True(context.Outbox.GetStatistics().LogFileBytes > 0);
        context.FakeTime.Advance(TimeSpan.FromMinutes(1));

        context.Outbox.RunMaintenance();

        Assert.Equal(0, context.Outbox.GetStatistics().LogFileBytes);
        Assert.Equal(50, context.Outbox.GetStatistics().Classes.Single(c => c.Priority == PriorityClass.Read).Depth);
    }
}
