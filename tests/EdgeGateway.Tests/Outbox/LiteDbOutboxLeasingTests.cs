using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Outbox;

namespace EdgeGateway.Tests.Outbox;

public sealed class LiteDbOutboxLeasingTests
{
    [Fact]
    public async Task LeaseAsync_MixedBacklog_UrgentClassesOvertake()
    {
        using var context = OutboxTestContext.Create();
        foreach (var priority in new[] { PriorityClass.Bulk, PriorityClass.Telemetry, PriorityClass.Read, PriorityClass.Event, PriorityClass.Alert, PriorityClass.Emergency })
        {
            for (var i = 0; i < 20; i++)
            {
                Assert.Equal(EnqueueResult.Accepted, await context.AcceptAsync(priority, priority.ToString()));
            }
        }

        var batch = await context.Outbox.LeaseAsync(30, TestContext.Current.CancellationToken);

        Assert.Equal(30, batch.Count);
        Assert.All(batch.Take(20), m => Assert.Equal(PriorityClass.Emergency, m.Priority));
        Assert.All(batch.Skip(20).Take(10), m => Assert.Equal(PriorityClass.Alert, m.Priority));
    }

    [Fact]
    public async Task LeaseAsync_DeepEventBacklog_LowerClassesKeepMinimumShare()
    {
        using var context = OutboxTestContext.Create();
        var envelopes = new List<Envelope>();
        foreach (var priority in new[] { PriorityClass.Event, PriorityClass.Telemetry, PriorityClass.Bulk })
        {
            for (var i = 0; i < 1500; i++)
            {
                var draft = OutboxTestContext.Draft(priority, priority.ToString(), context.Time.GetUtcNow() - TimeSpan.FromHours(1));
                draft.MessageId = context.Ids.NextString();
                envelopes.Add(draft);
            }
        }

        await context.Outbox.EnqueueManyAsync(envelopes, TestContext.Current.CancellationToken);
        var counts = new Dictionary<PriorityClass, int>();
        for (var round = 0; round < 400; round++)
        {
            // One at a time is the hardest case for a share: it must still come round.
            var batch = await context.Outbox.LeaseAsync(round % 2 == 0 ? 1 : 10, TestContext.Current.CancellationToken);
            foreach (var message in batch)
            {
                counts[message.Priority] = counts.GetValueOrDefault(message.Priority) + 1;
            }

            await context.Outbox.AcknowledgeAsync(batch.Select(m => m.MessageId).ToList(), TestContext.Current.CancellationToken);
        }

        var total = counts.Values.Sum();
        Assert.Equal(200 + 2000, total);
        Assert.True(counts[PriorityClass.Bulk] >= total * 0.09, $"Bulk got {counts[PriorityClass.Bulk]} of {total}");
        Assert.True(counts[PriorityClass.Telemetry] >= total * 0.14, $"Telemetry got {counts[PriorityClass.Telemetry]} of {total}");
        Assert.True(counts[PriorityClass.Event] > counts[PriorityClass.Telemetry] + counts[PriorityClass.Bulk], "Event keeps priority");
    }

    [Fact]
    public async Task LeaseAsync_Telemetry_LiveNewestFirstThenHistoryOldestFirst()
    {
        using var context = OutboxTestContext.Create(o => o.LiveWindow = TimeSpan.FromSeconds(60));
        for (var i = 0; i < 5; i++)
        {
            await context.AcceptAsync(PriorityClass.Telemetry);
            context.FakeTime.Advance(TimeSpan.FromSeconds(1));
        }

        context.FakeTime.Advance(TimeSpan.FromMinutes(10));
        for (var i = 0; i < 3; i++)
        {
            await context.AcceptAsync(PriorityClass.Telemetry);
            context.FakeTime.Advance(TimeSpan.FromSeconds(1));
        }

        var batch = await context.Outbox.LeaseAsync(8, TestContext.Current.CancellationToken);
        var sequences = batch.Select(m => OutboxTestContext.Parse(m).Sequence).ToArray();

        Assert.Equal(new ulong[] { 8, 7, 6, 1, 2, 3, 4, 5 }, sequences);
    }

    [Fact]
    public async Task LeaseAsync_Leased_NotHandedOutAgainUntilReleased()
    {
        using var context = OutboxTestContext.Create();
        for (var i = 0; i < 10; i++)
        {
            await context.AcceptAsync(PriorityClass.Read, "anpr");
        }

        var first = await context.Outbox.LeaseAsync(4, TestContext.Current.CancellationToken);
        var second = await context.Outbox.LeaseAsync(100, TestContext.Current.CancellationToken);
        Assert.Equal(4, first.Count);
        Assert.Equal(6, second.Count);
        Assert.Empty(first.Select(m => m.MessageId).Intersect(second.Select(m => m.MessageId)));
        Assert.Empty(await context.Outbox.LeaseAsync(100, TestContext.Current.CancellationToken));

        context.Outbox.ReleaseLeases();
        var again = await context.Outbox.LeaseAsync(100, TestContext.Current.CancellationToken);

        Assert.Equal(first.Concat(second).Select(m => m.MessageId).Order(), again.Select(m => m.MessageId).Order());
    }

    [Fact]
    public async Task LeaseAsync_LeaseTimedOut_LeasedAgain()
    {
        using var context = OutboxTestContext.Create(o => o.LeaseTimeout = TimeSpan.FromSeconds(30));
        await context.AcceptAsync(PriorityClass.Event, "status");
        var first = await context.Outbox.LeaseAsync(10, TestContext.Current.CancellationToken);
        context.FakeTime.Advance(TimeSpan.FromSeconds(29));
        Assert.Empty(await context.Outbox.LeaseAsync(10, TestContext.Current.CancellationToken));

        context.FakeTime.Advance(TimeSpan.FromSeconds(2));
        var second = await context.Outbox.LeaseAsync(10, TestContext.Current.CancellationToken);

        Assert.Equal(first.Single().MessageId, second.Single().MessageId);
    }

    [Fact]
    public async Task AcknowledgeAsync_KnownAndUnknownIds_DeletesKnownIgnoresUnknown()
    {
        using var context = OutboxTestContext.Create();
        for (var i = 0; i < 5; i++)
        {
            await context.AcceptAsync(PriorityClass.Alert, "anpr-hit");
        }

        var leased = await context.Outbox.LeaseAsync(3, TestContext.Current.CancellationToken);
        var ids = leased.Select(m => m.MessageId).Append(Guid.NewGuid().ToString()).Append("not-a-uuid").ToList();

        await context.Outbox.AcknowledgeAsync(ids, TestContext.Current.CancellationToken);
        await context.Outbox.AcknowledgeAsync(ids, TestContext.Current.CancellationToken); // duplicate ack
        context.Outbox.ReleaseLeases();
        var rest = await context.Outbox.LeaseAsync(100, TestContext.Current.CancellationToken);

        Assert.Equal(2, rest.Count);
        Assert.Empty(rest.Select(m => m.MessageId).Intersect(ids));
        var statistics = context.Outbox.GetStatistics();
        Assert.Equal(2, statistics.Classes.Single(c => c.Priority == PriorityClass.Alert).Depth);
        Assert.Equal(3UL, statistics.AcknowledgedTotal);
        Assert.Equal(5UL, statistics.AcceptedTotal);
    }

    [Fact]
    public async Task AcknowledgeAsync_AfterRestart_DeletesUnleasedIds()
    {
        using var context = OutboxTestContext.Create();
        await context.AcceptAsync(PriorityClass.Read, "anpr");
        var leased = await context.Outbox.LeaseAsync(1, TestContext.Current.CancellationToken);
        context.Reopen();

        await context.Outbox.AcknowledgeAsync([leased[0].MessageId], TestContext.Current.CancellationToken);

        Assert.Empty(await context.Outbox.LeaseAsync(10, TestContext.Current.CancellationToken));
        Assert.Equal(0, context.Outbox.GetStatistics().Classes.Sum(c => c.Depth));
    }

    [Fact]
    public async Task WaitForMessagesAsync_NothingQueued_CompletesOnEnqueue()
    {
        using var context = OutboxTestContext.Create();
        context.Outbox.GetStatistics(); // open
        var wait = context.Outbox.WaitForMessagesAsync(TestContext.Current.CancellationToken);
        Assert.False(wait.IsCompleted);

        await context.AcceptAsync(PriorityClass.Telemetry);

        await wait.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        await context.Outbox.WaitForMessagesAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }
}
