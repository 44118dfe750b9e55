using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;

namespace EdgeGateway.Tests.Outbox;

/// <summary>
/// Weeks offline: start-up must not scan the backlog. The rates (start-up time, enqueue rate with
/// one million queued vs. an empty store) are benchmark figures: <c>outbox backlog</c> in
/// benchmarks/EdgeGateway.Benchmarks (see benchmarks/README.md).
/// </summary>
public sealed class LiteDbOutboxBacklogTests
{
    private const int Backlog = 40_000;

    [Fact]
    public async Task Open_LargeBacklog_ReadsStateNotTheBacklog()
    {
        using var context = OutboxTestContext.Create();
        for (var done = 0; done < Backlog; done += 10_000)
        {
            var chunk = Enumerable.Range(done, 10_000).Select(i =>
            {
                var draft = OutboxTestContext.Draft(PriorityClass.Telemetry, "gnss", context.Time.GetUtcNow());
                draft.MessageId = context.Ids.NextString();
                draft.Sequence = (ulong)i + 1;
                return draft;
            }).ToList();
            var results = await context.Outbox.EnqueueManyAsync(chunk, TestContext.Current.CancellationToken);
            Assert.All(results, r => Assert.Equal(EnqueueResult.Accepted, r));
        }

        // Damage the middle third of the file: any start-up that walked the backlog (to count it,
        // find the last sequence or the highest id) would meet it and quarantine the store.
        context.Outbox.Dispose();
        var bytes = await File.ReadAllBytesAsync(context.DataFile, TestContext.Current.CancellationToken);
        new Random(11).NextBytes(bytes.AsSpan(bytes.Length / 3, bytes.Length / 3));
        await File.WriteAllBytesAsync(context.DataFile, bytes, TestContext.Current.CancellationToken);
        context.Reopen();

        Assert.True(context.Outbox.TryGetLastSequence("gnss", out var lastSequence));
        var firstLease = await context.Outbox.LeaseAsync(100, TestContext.Current.CancellationToken);
        var atStart = context.Outbox.GetStatistics();

        Assert.Equal((ulong)Backlog, lastSequence);
        Assert.Equal(100, firstLease.Count);
        Assert.Equal(Backlog, atStart.Classes.Sum(c => c.Depth));
        Assert.Equal(DurabilityState.Ok, atStart.Durability);

        // The damage is real: a walk through the backlog (everything is history now) meets it.
        context.Outbox.ReleaseLeases();
        context.FakeTime.Advance(TimeSpan.FromMinutes(5));
        await Task.Run(() => context.LeaseAllAsync(), TestContext.Current.CancellationToken)
            .WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        Assert.Equal(DurabilityState.Degraded, context.Outbox.GetStatistics().Durability);
    }
}
