using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Outbox;
using EdgeGateway.Outbox.Storage;
using LiteDB;
using EdgeGateway.Tests.Outbox;
using EdgeGateway.Uplink.Drain;

namespace EdgeGateway.Tests.Uplink.Drain;

/// <summary>The drain's second deduplication keys: appended to a keyed message's envelope only, until acknowledged.</summary>
public sealed class EnvelopeDedupeKeysTests
{
    [Fact]
    public void Stamp_KeyedMessageCarriesItsKey_RestUnchangedAndOthersUntouched()
    {
        var keys = new EnvelopeDedupeKeys();
        var keyed = TestEnvelopes.Message("car-1");
        var plain = TestEnvelopes.Message("car-1");
        var key = "lip-car-1-" + new string('A', 200); // longer than 127 bytes: a two-byte length
        keys.Set(keyed.MessageId, key);

        var stamped = keys.Stamp([keyed, plain]);

        var envelope = Envelope.Parser.ParseFrom(stamped[0].Envelope.Span);
        Assert.Equal(key, envelope.DedupeKey);
        envelope.DedupeKey = string.Empty;
        Assert.Equal(Envelope.Parser.ParseFrom(keyed.Envelope.Span), envelope);
        Assert.Same(plain, stamped[1]);
        var batch = EnvelopeBatch.Parser.ParseFrom(EnvelopeBatchPayload.Build(stamped));
        Assert.Equal([key, string.Empty], batch.Envelopes.Select(e => e.DedupeKey));
    }

    [Fact]
    public void Forget_AfterTheAcknowledgement_NoLongerStamped_AndCapacityBounded()
    {
        var keys = new EnvelopeDedupeKeys();
        var message = TestEnvelopes.Message("car-1");
        keys.Set(message.MessageId, "lip-car-1-0A");
        keys.Forget([message.MessageId]);

        Assert.Same(message, keys.Stamp([message])[0]);
        for (var i = 0; i < EnvelopeDedupeKeys.Capacity + 10; i++)
        {
            keys.Set("m" + i, "k" + i);
        }

        Assert.Equal(EnvelopeDedupeKeys.Capacity, keys.Count);
    }

    [Fact]
    public async Task DurableOutbox_KeySurvivesARestart_AndGoesWithTheAcknowledgedMessage()
    {
        using var context = OutboxTestContext.Create(time: TimeProvider.System);
        var keyed = TestEnvelopes.Message("car-1");
        var plain = TestEnvelopes.Message("car-1");
        foreach (var message in new[] { keyed, plain })
        {
            Assert.Equal(EnqueueResult.Accepted, await context.Outbox.EnqueueAsync(Envelope.Parser.ParseFrom(message.Envelope.Span), TestContext.Current.CancellationToken));
        }

        new EnvelopeDedupeKeys(context.Outbox).Set(keyed.MessageId, "lip-car-1-0A");
        context.Reopen(); // a restart: a new instance over the same file

        var afterRestart = new EnvelopeDedupeKeys(context.Outbox);
        var leased = await context.LeaseAllAsync();
        var stamped = afterRestart.Stamp(leased);
        Assert.Equal(2, stamped.Count);
        Assert.Equal("lip-car-1-0A", OutboxTestContext.Parse(stamped.Single(m => m.MessageId == keyed.MessageId)).DedupeKey);
        Assert.Equal(string.Empty, OutboxTestContext.Parse(stamped.Single(m => m.MessageId == plain.MessageId)).DedupeKey);

        context.Outbox.DeleteBehind = false; // the acknowledged message is deleted at once, its key with it
        await context.Outbox.AcknowledgeAsync([keyed.MessageId], TestContext.Current.CancellationToken);
        context.Reopen();
        Assert.Empty(context.Outbox.LoadDedupeKeys());
        Assert.Equal(0, new EnvelopeDedupeKeys(context.Outbox).Count);
    }
    [Fact]
    public async Task DurableOutbox_KeyedMessageExpires_ItsKeyIsDeletedWithIt_AndOrphansGoAtLoad()
    {
        using var context = OutboxTestContext.Create(o => o.Classes["Telemetry"] = new OutboxClassOptions { Expiry = TimeSpan.FromMinutes(5) });
        Assert.Equal(EnqueueResult.Accepted, await context.AcceptAsync(PriorityClass.Telemetry));
        var message = Assert.Single(await context.LeaseAllAsync());
        new EnvelopeDedupeKeys(context.Outbox).Set(message.MessageId, "lip-car-1-0B");
        Assert.Single(context.Outbox.LoadDedupeKeys());
        context.Reopen(); // a restart drops the lease; the message waits in the queue with its key

        context.FakeTime.Advance(TimeSpan.FromMinutes(6)); // the LIP was never acknowledged and the fix expires
        context.Outbox.RunMaintenance();

        Assert.Equal(0, context.Outbox.GetStatistics().Classes.Single(c => c.Priority == PriorityClass.Telemetry).Depth);
        Assert.Equal(0, DedupeKeyRows(context)); // deleted by the sweep itself, not left for the next load

        // A key whose message is gone (left by a version that did not delete keys on a drop) is removed when keys load.
        var orphan = MonotonicMessageIdGenerator.Format(new byte[MonotonicMessageIdGenerator.ByteLength]);
        Assert.True(context.Outbox.SaveDedupeKey(orphan, "lip-car-1-0C"));
        Assert.Equal(1, DedupeKeyRows(context));
        Assert.Empty(context.Outbox.LoadDedupeKeys());
        Assert.Equal(0, DedupeKeyRows(context));
    }

    // Rows in the outbox file's dedupe_keys collection, read with the outbox closed (reopened afterwards).
    private static int DedupeKeyRows(OutboxTestContext context)
    {
        context.Outbox.Dispose();
        int rows;
        using (var database = new LiteDatabase(new ConnectionString { Filename = context.DataFile }))
        {
            rows = database.GetCollection(OutboxStore.DedupeKeysCollection).Count();
        }

        context.Reopen();
        return rows;
    }
}
