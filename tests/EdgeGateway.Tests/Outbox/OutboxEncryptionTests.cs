using System.Buffers.Binary;
using System.Text;
using EdgeGateway.Contracts.Security;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Outbox;
using EdgeGateway.Outbox.Storage;
using LiteDB;

namespace EdgeGateway.Tests.Outbox;

/// <summary>Outbox payloads at rest: AES-256-GCM under a wrapped data key; plaintext outboxes from before still drain.</summary>
public sealed class OutboxEncryptionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Accept_Encrypted_DiskHoldsNoPlaintext_LeaseAfterRestartReturnsTheEnvelope()
    {
        using var context = OutboxTestContext.Create();
        await AcceptMarkedAsync(context, "secret-position-", 5);

        context.Outbox.Dispose(); // checkpointed into outbox.db
        var bytes = await File.ReadAllBytesAsync(context.DataFile, Ct);
        Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes("secret-position-")));
        Assert.True(File.Exists(context.DataFile + ".key"));
        Assert.False(PrivateFile.IsTooOpen(context.DataFile + ".key"));
        context.Reopen();

        var leased = (await context.LeaseAllAsync()).Select(OutboxTestContext.Parse).ToList();
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"secret-position-{i}"), leased.Select(e => e.Event.Detail));
        Assert.DoesNotContain(context.Outbox.GetStatistics().Drops, d => d.Reason == MessageChecksum.CorruptReason);
    }

    [Fact]
    public async Task Reopen_PlaintextOutboxFromBeforeEncryption_StillDrains_NewMessagesEncrypted()
    {
        using var context = OutboxTestContext.Create(o => o.EncryptPayloads = false);
        await AcceptMarkedAsync(context, "old-plain-", 3);
        context.Options.EncryptPayloads = true;
        context.Reopen();
        await AcceptMarkedAsync(context, "new-sealed-", 2);

        var leased = (await context.LeaseAllAsync()).Select(OutboxTestContext.Parse).Select(e => e.Event.Detail).ToList();
        context.Outbox.Dispose();
        using var database = new LiteDatabase(new ConnectionString { Filename = context.DataFile });
        var documents = database.GetCollection("q_event").FindAll().ToList();
        context.Reopen();

        Assert.Equal(["old-plain-0", "old-plain-1", "old-plain-2", "new-sealed-0", "new-sealed-1"], leased);
        Assert.Equal(3, documents.Count(d => d[PayloadProtector.Field].IsNull));
        Assert.Equal(2, documents.Count(d => d[PayloadProtector.Field] == 1));
    }

    [Fact]
    public async Task Lease_EncryptedPayloadSwappedIntoAnotherMessage_CountedCorruptNotSent()
    {
        using var context = OutboxTestContext.Create();
        await AcceptMarkedAsync(context, "m-", 2);
        context.Outbox.Dispose();
        using (var database = new LiteDatabase(new ConnectionString { Filename = context.DataFile }))
        {
            // The ciphertext and its checksum moved together: only the id bound into the GCM tag tells.
            var queue = database.GetCollection("q_event");
            var documents = queue.FindAll().ToList();
            (documents[0]["b"], documents[1]["b"]) = (documents[1]["b"], documents[0]["b"]);
            (documents[0][MessageChecksum.Field], documents[1][MessageChecksum.Field]) = (documents[1][MessageChecksum.Field], documents[0][MessageChecksum.Field]);
            queue.Update(documents[0]);
            queue.Update(documents[1]);
        }

        context.Reopen();
        var leased = await context.LeaseAllAsync();

        Assert.DoesNotContain(leased, m => m.Stream == "events");
        Assert.Equal(2UL, context.Outbox.GetStatistics().Drops.Single(d => d.Reason == MessageChecksum.CorruptReason).Count);
    }

    [Fact]
    public void Open_EveryOpenRaisesTheNonceEpochDurably_SoNoNonceRepeatsAcrossRestarts()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "outbox.db");
        var wrapper = new EdgeGateway.Security.FileDataKeyWrapper(dir.Sub("identity"));
        var id = new byte[16];

        var first = PayloadProtector.Open(path, wrapper).Protect(id, [1, 2, 3]);
        var second = PayloadProtector.Open(path, wrapper).Protect(id, [1, 2, 3]);

        Assert.Equal(2u, BinaryPrimitives.ReadUInt32BigEndian(File.ReadAllBytes(path + ".epoch")));
        Assert.NotEqual(first.AsSpan(1, 12).ToArray(), second.AsSpan(1, 12).ToArray());
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32BigEndian(first.AsSpan(1, 4)));
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32BigEndian(second.AsSpan(1, 4)));
    }

    private static async Task AcceptMarkedAsync(OutboxTestContext context, string marker, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var draft = OutboxTestContext.Draft(PriorityClass.Event, "events", context.Time.GetUtcNow());
            draft.Event.Detail = marker + i;
            Assert.Equal(EnqueueResult.Accepted, await context.Sink.AcceptAsync(draft, Ct));
        }
    }
}
