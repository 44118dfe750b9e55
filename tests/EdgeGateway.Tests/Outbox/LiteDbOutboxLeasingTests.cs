using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Outbox;
using EdgeGateway.Outbox.Leasing;

namespace EdgeGateway.Tests.Outbox;

/// <summary>LiteDB-only leasing behaviour (the shared behaviour is in <see cref="Contract.OutboxContractTests"/>).</summary>
public sealed class LiteDbOutboxLeasingTests
{
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
    public async Task LeaseAsync_LiveTelemetryInFlight_ReadsOnlyWhatItHandsOutNewestFirst()
    {
        using var context = OutboxTestContext.Create();
        var ct = TestContext.Current.CancellationToken;
        await EnqueueTelemetryAsync(context, 3000); // all stamped now: every one is live
        var leased = new List<OutboxMessage>();
        var readBefore = context.Outbox.LeaseDocumentsRead;

        for (var i = 0; i < 20; i++)
        {
            leased.AddRange(await context.Outbox.LeaseAsync(100, ct)); // none acknowledged: all stay in flight
        }

        // Each lease starts where the last one stopped instead of walking down over the ones in
        // flight again (that walk read up to 1,424 documents per lease of 100 before).
        Assert.Equal(2000, leased.Count);
        Assert.Equal(2000, context.Outbox.LeaseDocumentsRead - readBefore);
        var ids = leased.Select(m => m.MessageId).ToList();
        Assert.Equal(ids.OrderDescending(StringComparer.Ordinal), ids);

        // A newer arrival still goes first, then the walk carries on below where it stopped.
        await context.AcceptAsync(PriorityClass.Telemetry);
        var next = await context.Outbox.LeaseAsync(2, ct);
        Assert.True(string.CompareOrdinal(next[0].MessageId, ids[0]) > 0);
        Assert.True(string.CompareOrdinal(next[1].MessageId, ids[^1]) < 0);

        // Released leases are found again.
        context.Outbox.ReleaseLeases();
        Assert.Equal(3001, (await context.LeaseAllAsync()).Count);
    }

    [Fact]
    public void CompleteDeletes_PartOfTheBatch_TheRestStaysPending()
    {
        var table = new LeaseTable();
        for (var key = 1u; key <= 5; key++)
        {
            table.Add(key, classIndex: 4, deadlineMs: 1000, size: 10);
            Assert.True(table.TryAcknowledge(key));
        }

        var batch = table.PendingDeletes(5);
        table.CompleteDeletes(batch, done: 2); // the delete transaction yielded after two messages

        Assert.Equal(3, table.PendingDeleteCount);
        Assert.False(table.Contains(1u));
        Assert.False(table.Contains(2u));
        Assert.Equal(30, table.AcknowledgedBytes(4));
        Assert.Equal(new UInt128[] { 3u, 4u, 5u }, table.PendingDeletes(5).Select(p => p.Key));
    }

    /// <summary>Stamps <paramref name="count"/> Telemetry envelopes the way the sink would and stores them in one call.</summary>
    private static async Task EnqueueTelemetryAsync(OutboxTestContext context, int count)
    {
        var envelopes = new List<Envelope>(count);
        for (var i = 0; i < count; i++)
        {
            var draft = OutboxTestContext.Draft(PriorityClass.Telemetry, "gnss", context.Time.GetUtcNow());
            context.Outbox.Policy.StampDraft(draft);
            context.Outbox.Policy.StampIdentity(draft, (ulong)(i + 1));
            envelopes.Add(draft);
        }

        var results = await context.Outbox.EnqueueManyAsync(envelopes, TestContext.Current.CancellationToken);
        Assert.All(results, r => Assert.Equal(EnqueueResult.Accepted, r));
    }
}
