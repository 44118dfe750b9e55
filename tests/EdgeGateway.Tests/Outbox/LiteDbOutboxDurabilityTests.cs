using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Outbox;
using EdgeGateway.Outbox.Housekeeping;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Tests.Outbox;

public sealed class LiteDbOutboxDurabilityTests
{
    [Fact]
    public async Task Reopen_AfterDispose_MessagesAndCountersPresent()
    {
        using var context = OutboxTestContext.Create();
        for (var i = 0; i < 25; i++)
        {
            await context.AcceptAsync(PriorityClass.Read, "anpr");
        }

        var before = (await context.LeaseAllAsync()).Select(m => m.MessageId).ToList();
        context.Reopen();

        var after = (await context.LeaseAllAsync()).Select(m => m.MessageId).ToList();
        var statistics = context.Outbox.GetStatistics();

        Assert.Equal(before, after);
        Assert.Equal(25, statistics.Classes.Single(c => c.Priority == PriorityClass.Read).Depth);
        Assert.Equal(25UL, statistics.AcceptedTotal);
        Assert.Equal(DurabilityState.Ok, statistics.Durability);
    }

    [Fact]
    public async Task AcceptAsync_AcrossRestartWithClockBehind_IdsKeepIncreasing()
    {
        using var context = OutboxTestContext.Create();
        var ids = new List<string>();
        for (var i = 0; i < 50; i++)
        {
            await context.AcceptAsync(PriorityClass.Telemetry);
        }

        ids.AddRange((await context.LeaseAllAsync()).Select(m => m.MessageId).Order(StringComparer.Ordinal));
        context.Outbox.Dispose();

        // The restarted process's clock is two hours behind (RTC reset).
        using var restarted = OutboxTestContext.Create(time: new FakeTimeProvider(OutboxTestContext.Start - TimeSpan.FromHours(2)), directory: context.Directory);
        await restarted.AcceptAsync(PriorityClass.Telemetry);
        var newest = (await restarted.LeaseAllAsync()).Select(m => m.MessageId).Except(ids).Single();

        Assert.True(string.CompareOrdinal(newest, ids[^1]) > 0, $"{newest} should sort after {ids[^1]}");
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public async Task AcceptAsync_AcrossRestart_SequenceContinuesWithoutGaps()
    {
        using var context = OutboxTestContext.Create(o => o.Classes["Bulk"] = new OutboxClassOptions { QuotaBytes = 64 * 1024 });
        for (var i = 0; i < 3; i++)
        {
            await context.AcceptAsync(PriorityClass.Telemetry, "gnss");
        }

        await context.AcceptAsync(PriorityClass.Event, "status");
        context.Reopen();
        await context.AcceptAsync(PriorityClass.Telemetry, "gnss");
        await context.AcceptAsync(PriorityClass.Event, "status");

        var bySequence = (await context.LeaseAllAsync()).Select(OutboxTestContext.Parse).GroupBy(e => e.Stream)
            .ToDictionary(g => g.Key, g => g.Select(e => e.Sequence).Order().ToArray());

        Assert.Equal(new ulong[] { 1, 2, 3, 4 }, bySequence["gnss"]);
        Assert.Equal(new ulong[] { 1, 2 }, bySequence["status"]);
    }

    [Fact]
    public async Task AcceptAsync_RefusedMessage_DoesNotConsumeSequence()
    {
        using var context = OutboxTestContext.Create(o => o.Classes["Bulk"] = new OutboxClassOptions { QuotaBytes = 64 * 1024 });
        var results = new List<EnqueueResult>();
        for (var i = 0; i < 80; i++)
        {
            results.Add(await context.AcceptAsync(PriorityClass.Bulk, "evidence", padding: 900));
        }

        var accepted = (await context.LeaseAllAsync()).Where(m => m.Stream == "evidence").ToList();
        await context.Outbox.AcknowledgeAsync(accepted.Select(m => m.MessageId).ToList(), TestContext.Current.CancellationToken);
        Assert.Equal(EnqueueResult.Accepted, await context.AcceptAsync(PriorityClass.Bulk, "evidence", padding: 900));

        var next = (await context.LeaseAllAsync()).Where(m => m.Stream == "evidence").Select(OutboxTestContext.Parse).Single();

        Assert.Contains(EnqueueResult.RefusedQuota, results);
        Assert.Equal((ulong)accepted.Count + 1, next.Sequence);
    }

    [Fact]
    public async Task AcceptAsync_StampsEnvelope()
    {
        using var context = OutboxTestContext.Create(o => o.Classes["Read"] = new OutboxClassOptions { Expiry = TimeSpan.FromDays(3) });
        var draft = OutboxTestContext.Draft(PriorityClass.Read, "anpr", context.Time.GetUtcNow());

        Assert.Equal(EnqueueResult.Accepted, await context.Sink.AcceptAsync(draft, TestContext.Current.CancellationToken));

        var stored = OutboxTestContext.Parse(Assert.Single(await context.LeaseAllAsync()));
        Assert.Equal("test-vehicle", stored.DeviceId);
        Assert.Equal(1UL, stored.Sequence);
        Assert.Equal(context.Time.GetUtcNow() + TimeSpan.FromDays(3), stored.ExpiresAt.ToDateTimeOffset());
        Assert.Equal(7, Guid.Parse(stored.MessageId).Version);
        Assert.Equal(stored.MessageId, stored.MessageId.ToLowerInvariant());
    }

    [Fact]
    public async Task Open_CorruptFile_QuarantinedKeptAndFreshStoreDegraded()
    {
        using var context = OutboxTestContext.Create();
        await context.AcceptAsync(PriorityClass.Read, "anpr");
        context.Outbox.Dispose();
        var garbage = new byte[64 * 1024];
        new Random(42).NextBytes(garbage);
        await File.WriteAllBytesAsync(context.DataFile, garbage, TestContext.Current.CancellationToken);

        context.Reopen();
        var statistics = context.Outbox.GetStatistics();
        var accepted = await context.AcceptAsync(PriorityClass.Telemetry);

        Assert.Equal(DurabilityState.Degraded, statistics.Durability);
        var quarantined = Assert.Single(Directory.GetFiles(context.Directory, "outbox.corrupt-*.db"), f => !f.EndsWith("-log.db", StringComparison.Ordinal));
        Assert.Equal(garbage, await File.ReadAllBytesAsync(quarantined, TestContext.Current.CancellationToken));
        Assert.Equal(Path.GetFileName(quarantined), Path.GetFileName(statistics.QuarantinedFile));
        Assert.Equal(EnqueueResult.Accepted, accepted);
        var alarm = (await context.LeaseAllAsync()).Select(OutboxTestContext.Parse).Single(e => e.Stream == LiteDbOutbox.AlarmStream && e.Event.Type == "outbox.quarantined");
        Assert.Equal(PriorityClass.Alert, alarm.Priority);
        Assert.Equal("outbox.quarantined", alarm.Event.Type);

        var report = new HealthReport();
        new OutboxHealthContributor(context.Outbox).Contribute(report);
        Assert.Equal(DurabilityState.Degraded, report.Durability);
    }

    [Fact]
    public async Task LeaseAsync_FileCorruptPastItsHead_QuarantinedInsteadOfThrowing()
    {
        using var context = OutboxTestContext.Create();
        for (var i = 0; i < 40; i++)
        {
            var batch = Enumerable.Range(0, 50).Select(_ =>
            {
                var draft = OutboxTestContext.Draft(PriorityClass.Read, "anpr", context.Time.GetUtcNow(), 1000);
                draft.MessageId = context.Ids.NextString();
                return draft;
            }).ToList();
            await context.Outbox.EnqueueManyAsync(batch, TestContext.Current.CancellationToken);
        }

        context.Outbox.Dispose();
        var bytes = await File.ReadAllBytesAsync(context.DataFile, TestContext.Current.CancellationToken);
        new Random(7).NextBytes(bytes.AsSpan(bytes.Length / 3, bytes.Length / 3));
        await File.WriteAllBytesAsync(context.DataFile, bytes, TestContext.Current.CancellationToken);
        context.Reopen();

        // The head check at open passes; the lease meets the damage, quarantines, and nothing throws.
        var leased = await Task.Run(() => context.LeaseAllAsync(), TestContext.Current.CancellationToken)
            .WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        var statistics = context.Outbox.GetStatistics();
        var accepted = await context.AcceptAsync(PriorityClass.Alert, "hits");

        Assert.Equal(DurabilityState.Degraded, statistics.Durability);
        Assert.True(File.Exists(statistics.QuarantinedFile));
        Assert.Equal(EnqueueResult.Accepted, accepted);
        Assert.True(leased.Count < 2000);
    }

    [Fact]
    public async Task Contribute_QueuedMessages_FillsHealthReport()
    {
        using var context = OutboxTestContext.Create(o => o.Classes["Telemetry"] = new OutboxClassOptions { QuotaBytes = 1_000_000 });
        await context.AcceptAsync(PriorityClass.Telemetry);
        context.FakeTime.Advance(TimeSpan.FromSeconds(5));
        await context.AcceptAsync(PriorityClass.Telemetry);
        await context.Sink.AcceptAsync(OutboxTestContext.Draft(PriorityClass.Read, "anpr", context.Time.GetUtcNow() - TimeSpan.FromDays(40)), TestContext.Current.CancellationToken);
        context.Outbox.FreeDiskProbe = () => 123_456_789;
        context.Outbox.RunMaintenance();

        var report = new HealthReport();
        new OutboxHealthContributor(context.Outbox).Contribute(report);

        var telemetry = report.Queues.Single(q => q.Priority == PriorityClass.Telemetry);
        Assert.Equal(6, report.Queues.Count);
        Assert.Equal(2UL, telemetry.Depth);
        Assert.True(telemetry.Bytes > 0);
        Assert.Equal(5000UL, telemetry.OldestUnsentAgeMs);
        Assert.Equal(1_000_000UL, telemetry.QuotaBytes);
        Assert.Equal(DurabilityState.Ok, report.Durability);
        Assert.Equal(3UL, report.AcceptedTotal); // two telemetry + the data-loss report for the expired read
        Assert.Equal(123_456_789UL, report.FreeDiskBytes);
        var drop = Assert.Single(report.Drops);
        Assert.Equal((PriorityClass.Read, "expired", 1UL), (drop.Priority, drop.Reason, drop.Count));
    }
}
