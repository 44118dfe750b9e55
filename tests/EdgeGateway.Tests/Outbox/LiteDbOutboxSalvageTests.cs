using EdgeGateway.Contracts.V1;
using EdgeGateway.Outbox;
using EdgeGateway.Outbox.Salvage;
using EdgeGateway.Outbox.Storage;
using LiteDB;

namespace EdgeGateway.Tests.Outbox;

public sealed class LiteDbOutboxSalvageTests
{
    public static TheoryData<int> Seeds() => new(Enumerable.Range(0, 50));

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Open_FlippedBytesAfterCleanStop_EveryMessageSentOrCountedLostAndNoneLeftBehind(int seed)
    {
        const int total = 819;
        using var context = OutboxTestContext.Create();
        var batch = Enumerable.Range(0, total).Select(i =>
        {
            var draft = OutboxTestContext.Draft(i % 3 == 0 ? PriorityClass.Event : PriorityClass.Read, "anpr", context.Time.GetUtcNow(), 400);
            draft.MessageId = $"01900000-0000-7000-8000-{i:D12}";
            return draft;
        }).ToList();
        await context.Outbox.EnqueueManyAsync(batch, TestContext.Current.CancellationToken);
        context.Outbox.Dispose();

        var bytes = await File.ReadAllBytesAsync(context.DataFile, TestContext.Current.CancellationToken);
        var random = new Random(seed);
        for (var i = 0; i < 20; i++)
        {
            bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
        }

        await File.WriteAllBytesAsync(context.DataFile, bytes, TestContext.Current.CancellationToken);
        context.Reopen();
        // Whatever the flips hit (a page, an index link, an id, a payload, an expiry, the state's counts), each message
        // is sent or counted lost. A lease that meets damage it cannot handle message by message quarantines and
        // salvages the file and returns nothing; the next one goes on.
        var leased = new List<OutboxMessage>();
        for (var round = 0; round < 4; round++)
        {
            leased.AddRange(await context.LeaseAllAsync());
        }

        var statistics = context.Outbox.GetStatistics();
        var sent = leased.Select(OutboxTestContext.Parse).Where(e => e.Stream == "anpr").Select(e => e.MessageId).ToHashSet();
        Assert.Subset(batch.Select(e => e.MessageId).ToHashSet(), sent);
        Assert.True(sent.Count > total / 2);
        var counted = statistics.Drops.Aggregate(0UL, (a, d) => a + d.Count);
        var salvages = leased.Select(OutboxTestContext.Parse).Where(e => e.Event?.Type == "outbox.salvaged").ToList();
        if (salvages.Any(e => e.Event.Attributes["lost_count"] == "seen"))
        {
            // The state document was damaged too: the salvage can count only the damage it sees (a message on a page
            // whose header is gone is not seen; a damaged document that was not a message may be), and says so.
            Assert.InRange((ulong)sent.Count + counted, (ulong)total - 20, (ulong)total + 20);
        }
        else
        {
            Assert.Equal((ulong)total, (ulong)sent.Count + counted);
        }

        Assert.All(statistics.Classes, c => Assert.Equal(c.Depth, c.Leased)); // nothing left that no lease reaches
        Assert.False(context.Outbox.WaitForMessagesAsync(TestContext.Current.CancellationToken).IsCompleted); // so the uplink is not told to ask again at once
        Assert.Equal(salvages.Count, Directory.GetFiles(context.Directory, "*.salvaged").Length);
        Assert.Empty(OutboxSalvager.Unsalvaged(context.DataFile));
    }

    [Fact]
    public async Task Lease_MessageWhosePayloadFieldIsGone_CountedCorruptAndDeletedNotLeftToFailEveryLease()
    {
        using var context = await ThreeReadsDamagedAsync(database =>
        {
            var queue = database.GetCollection("q_read");
            var damaged = queue.FindAll().First();
            damaged["d"] = damaged["b"]; // a flipped bit in the field's name: no payload to size, check or send
            Assert.True(damaged.Remove("b"));
            queue.Update(damaged);
        });
        var leased = await context.LeaseAllAsync();
        var statistics = context.Outbox.GetStatistics();

        Assert.Equal(2, leased.Count);
        Assert.Equal(1UL, statistics.Drops.Single(d => d.Reason == MessageChecksum.CorruptReason).Count);
        Assert.Equal(2, statistics.Classes.Single(c => c.Priority == PriorityClass.Read).Depth);
        Assert.False(context.Outbox.WaitForMessagesAsync(TestContext.Current.CancellationToken).IsCompleted);
    }

    [Fact]
    public async Task Lease_QueueIndexReachesFewerMessagesThanTheStateCounts_QuarantinedSalvagedAndTheMissingOneCountedLost()
    {
        // As a broken index link does it: the message is out of the walk, the state still counts it.
        using var context = await ThreeReadsDamagedAsync(database =>
        {
            var queue = database.GetCollection("q_read");
            Assert.True(queue.Delete(queue.FindAll().Last()["_id"]));
        });
        var leased = new List<OutboxMessage>();
        for (var round = 0; round < 3; round++)
        {
            leased.AddRange(await context.LeaseAllAsync());
        }

        var events = leased.Select(OutboxTestContext.Parse).ToList();
        var statistics = context.Outbox.GetStatistics();

        Assert.Equal(2, events.Select(e => e.MessageId).Where((_, i) => events[i].Stream == "anpr").Distinct().Count());
        var salvage = Assert.Single(events, e => e.Event?.Type == "outbox.salvaged");
        Assert.Equal(("1", "exact"), (salvage.Event.Attributes["lost"], salvage.Event.Attributes["lost_count"]));
        Assert.Equal(1UL, statistics.Drops.Single(d => d.Reason == MessageChecksum.CorruptReason).Count);
        Assert.All(statistics.Classes, c => Assert.Equal(c.Depth, c.Leased));
        Assert.False(context.Outbox.WaitForMessagesAsync(TestContext.Current.CancellationToken).IsCompleted);
    }

    [Fact]
    public async Task Open_StateDocumentGoneWhileQueuesHoldMessages_QuarantinedAndEveryMessageSalvagedNotForgotten()
    {
        // A flipped bit in the state document's id reads as no state at all: a fresh store would count none of them.
        using var context = await ThreeReadsDamagedAsync(database =>
            Assert.True(database.GetCollection(OutboxStoreFile.StateCollection).Delete(OutboxState.DocumentId)));
        var events = (await context.LeaseAllAsync()).Select(OutboxTestContext.Parse).ToList();

        Assert.Equal(3, events.Count(e => e.Stream == "anpr"));
        var salvage = Assert.Single(events, e => e.Event?.Type == "outbox.salvaged");
        Assert.Equal(("3", "0", "seen"), (salvage.Event.Attributes["recovered"], salvage.Event.Attributes["lost"], salvage.Event.Attributes["lost_count"]));
        Assert.Single(events, e => e.Event?.Type == "outbox.quarantined");
    }

    /// <summary>An outbox holding three Read messages (<c>q_read</c>), stopped, changed by <paramref name="damage"/> through LiteDB itself, reopened.</summary>
    private static async Task<OutboxTestContext> ThreeReadsDamagedAsync(Action<LiteDatabase> damage)
    {
        var context = OutboxTestContext.Create();
        for (var i = 0; i < 3; i++)
        {
            await context.AcceptAsync(PriorityClass.Read, "anpr");
        }

        context.Outbox.Dispose();
        using (var database = new LiteDatabase(new ConnectionString { Filename = context.DataFile }))
        {
            damage(database);
        }

        context.Reopen();
        return context;
    }
}
