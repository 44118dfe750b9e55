using System.Text;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Outbox;
using EdgeGateway.Outbox.Storage;
using LiteDB;

namespace EdgeGateway.Tests.Outbox;

public sealed class LiteDbOutboxChecksumTests
{
    [Fact]
    public async Task LeaseAsync_PayloadCorruptedInPlaceOnDisk_NotSentCountedAsCorruptAndReported()
    {
        using var context = OutboxTestContext.Create(o => o.EncryptPayloads = false); // to find the payload on disk
        for (var i = 0; i < 5; i++)
        {
            var draft = OutboxTestContext.Draft(PriorityClass.Event, "events", context.Time.GetUtcNow());
            draft.Event.Detail = $"payload-marker-{i}-" + new string('p', 40);
            await context.Sink.AcceptAsync(draft, TestContext.Current.CancellationToken);
        }

        context.Outbox.Dispose(); // LiteDB checkpoints on close: the payloads are now in outbox.db
        var bytes = await File.ReadAllBytesAsync(context.DataFile, TestContext.Current.CancellationToken);
        var at = bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes("payload-marker-3-"));
        Assert.True(at > 0);
        bytes[at + 20] ^= 0x01; // inside the envelope's text: LiteDB still reads the document fine
        await File.WriteAllBytesAsync(context.DataFile, bytes, TestContext.Current.CancellationToken);
        context.Reopen();

        var leased = (await context.LeaseAllAsync()).Select(OutboxTestContext.Parse).ToList();
        var statistics = context.Outbox.GetStatistics();
        context.Outbox.FlushDataLossReports();
        var reports = (await context.LeaseAllAsync()).Select(OutboxTestContext.Parse).Where(e => e.Stream == LiteDbOutbox.DataLossStream).ToList();

        Assert.Equal(["payload-marker-0-", "payload-marker-1-", "payload-marker-2-", "payload-marker-4-"], leased.Select(e => e.Event.Detail[..17]));
        Assert.Equal(4, statistics.Classes.Single(c => c.Priority == PriorityClass.Event).Depth);
        Assert.Equal(1UL, statistics.Drops.Single(d => d.Reason == MessageChecksum.CorruptReason).Count);
        var report = Assert.Single(reports).DataLoss;
        Assert.Equal((PriorityClass.Event, "corrupt", 1UL), (report.Priority, report.Reason, report.Count));
    }

    [Fact]
    public async Task LeaseAsync_DocumentWithoutChecksumFromOlderVersion_StillSent()
    {
        using var context = OutboxTestContext.Create();
        await context.AcceptAsync(PriorityClass.Read, "anpr");
        await context.AcceptAsync(PriorityClass.Read, "anpr");
        context.Outbox.Dispose();
        using (var database = new LiteDatabase(new ConnectionString { Filename = context.DataFile }))
        {
            var queue = database.GetCollection("q_read");
            foreach (var document in queue.FindAll().ToList())
            {
                Assert.True(document.Remove(MessageChecksum.Field));
                queue.Update(document);
            }
        }

        context.Reopen();
        var leased = await context.LeaseAllAsync();

        Assert.Equal(2, leased.Count);
        Assert.DoesNotContain(context.Outbox.GetStatistics().Drops, d => d.Reason == MessageChecksum.CorruptReason);
    }

    [Fact]
    public async Task LeaseAsync_EncryptionMarkerLostToDamage_NeverSendsTheCiphertextCountsItCorrupt()
    {
        using var context = OutboxTestContext.Create();
        await context.AcceptAsync(PriorityClass.Read, "anpr");
        await context.AcceptAsync(PriorityClass.Read, "anpr");
        context.Outbox.Dispose();
        using (var database = new LiteDatabase(new ConnectionString { Filename = context.DataFile }))
        {
            // A flipped bit in the marker's field name ("e" -> "d") and in the ciphertext of the first message: it
            // must not be read as an unencrypted envelope from before encryption. The second keeps its ciphertext.
            var queue = database.GetCollection("q_read");
            var documents = queue.FindAll().ToList();
            for (var i = 0; i < documents.Count; i++)
            {
                var document = documents[i];
                document["d"] = document[PayloadProtector.Field];
                Assert.True(document.Remove(PayloadProtector.Field));
                if (i == 0)
                {
                    var payload = document["b"].AsBinary;
                    payload[^20] ^= 0x04;
                    document["b"] = payload;
                    document[MessageChecksum.Field] = MessageChecksum.Of(payload);
                }

                queue.Update(document);
            }
        }

        context.Reopen();
        var leased = await context.LeaseAllAsync();

        var intact = Assert.Single(leased); // the undamaged ciphertext still opens: its marker's loss is harmless
        Assert.Equal(PriorityClass.Read, OutboxTestContext.Parse(intact).Priority);
        Assert.Equal(1UL, context.Outbox.GetStatistics().Drops.Single(d => d.Reason == MessageChecksum.CorruptReason).Count);
    }
}
