using EdgeGateway.Contracts.V1;
using EdgeGateway.Outbox;
using EdgeGateway.Outbox.Salvage;

namespace EdgeGateway.Tests.Outbox;

public sealed class LiteDbOutboxSalvageTests
{
    [Fact]
    public async Task Open_FlippedBytesAfterCleanStop_IntactMessagesRecoveredLostCountedAndAddUp()
    {
        const int total = 819;
        using var context = OutboxTestContext.Create();
        var batch = Enumerable.Range(0, total).Select(i =>
        {
            var draft = OutboxTestContext.Draft(i % 3 == 0 ? PriorityClass.Event : PriorityClass.Read, "anpr", context.Time.GetUtcNow(), 400);
            // Fixed ids (not the generator's random tail), so the file's layout, and so what the flipped bytes below
            // hit, is the same in every run: with random ids the flips now and then missed every structure that makes
            // the outbox quarantine the file, and the test failed with no salvage at all (once in a 10-run soak).
            draft.MessageId = $"01900000-0000-7000-8000-{i:D12}";
            return draft;
        }).ToList();
        await context.Outbox.EnqueueManyAsync(batch, TestContext.Current.CancellationToken);
        context.Outbox.Dispose();

        var bytes = await File.ReadAllBytesAsync(context.DataFile, TestContext.Current.CancellationToken);
        var random = new Random(20);
        for (var i = 0; i < 20; i++)
        {
            bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
        }

        await File.WriteAllBytesAsync(context.DataFile, bytes, TestContext.Current.CancellationToken);
        context.Reopen();
        // The head check at open may pass; then the first lease meets the damage and quarantines at run time (returning nothing).
        var leased = (await context.LeaseAllAsync()).Concat(await context.LeaseAllAsync()).ToList();
        var statistics = context.Outbox.GetStatistics();

        var sent = leased.Select(OutboxTestContext.Parse).Where(e => e.Stream == "anpr").Select(e => e.MessageId).ToHashSet();
        var ids = batch.Select(e => e.MessageId).ToHashSet();
        Assert.Subset(ids, sent);
        var salvaged = leased.Select(OutboxTestContext.Parse).Single(e => e.Event?.Type == "outbox.salvaged");
        var lost = long.Parse(salvaged.Event.Attributes["lost"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(total, sent.Count + lost);
        Assert.Equal((ulong)lost, statistics.Drops.Where(d => d.Reason == "corrupt").Aggregate(0UL, (a, d) => a + d.Count));
        Assert.True(sent.Count > total / 2);
        Assert.Single(OutboxSalvager.Unsalvaged(context.DataFile).Concat(Directory.GetFiles(context.Directory, "*.salvaged")));
    }
}
