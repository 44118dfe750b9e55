using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Outbox.Storage;
using EdgeGateway.Retention;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Tests.Retention;

/// <summary>The retained-history file on its own: byte budget, paging, a damaged file, reopening.</summary>
public sealed class RetainedHistoryTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _data = new();

    public void Dispose() => _data.Dispose();

    private string FilePath => Path.Combine(_data.Path, "retained.db");

    [Fact]
    public void Add_BeyondMaxBytes_DropsTheOldestFirst_AndTotalsSurviveAReopen()
    {
        var options = new RetentionOptions { MaxBytes = 1024 * 1024 };
        var ids = new MonotonicMessageIdGenerator(new FakeTimeProvider(T0));
        var all = Enumerable.Range(0, 300).Select(i => Message(ids, T0.AddSeconds(i / 2), 10_000)).ToList();
        using (var history = new RetainedHistory(FilePath, options, new FakeTimeProvider(T0), NullLogger.Instance))
        {
            foreach (var chunk in all.Chunk(50))
            {
                history.Add(chunk, T0.AddMinutes(5));
            }

            var stats = history.Statistics;
            Assert.NotNull(history.PrunedThrough);
            Assert.True(history.PrunedThrough <= stats.OldestCapturedAt, "pruned through the newest copy deleted");
            Assert.InRange(stats.Bytes, 1, options.MaxBytes);
            Assert.InRange(stats.Messages, 50, 299);
            var newest = history.Range(T0, T0.AddHours(1), null, 1000);
            Assert.Equal(all[^1].MessageId, newest[^1].MessageId); // the newest are kept
            Assert.Equal(stats.OldestCapturedAt, newest[0].CapturedAt);
        }

        using var reopened = new RetainedHistory(FilePath, options, new FakeTimeProvider(T0), NullLogger.Instance);
        Assert.InRange(reopened.Statistics.Messages, 50, 299);

        // Paging by (captured-at, id) returns every message once, also several per millisecond.
        var paged = new List<RetainedMessage>();
        (long, byte[])? after = null;
        while (reopened.Range(T0, T0.AddHours(1), null, 7, after) is { Count: > 0 } page)
        {
            paged.AddRange(page);
            var id = new byte[MonotonicMessageIdGenerator.ByteLength];
            MonotonicMessageIdGenerator.TryParse(page[^1].MessageId, id);
            after = (page[^1].CapturedAt.ToUnixTimeMilliseconds(), id);
        }

        Assert.Equal(reopened.Statistics.Messages, paged.Count);
        Assert.Equal(paged.Count, paged.Select(m => m.MessageId).Distinct().Count());
    }

    [Fact]
    public void Open_DamagedFile_IsReplacedByAnEmptyOne()
    {
        File.WriteAllBytes(FilePath, Enumerable.Repeat((byte)0xAB, 64 * 1024).ToArray());
        using var history = new RetainedHistory(FilePath, new RetentionOptions(), new FakeTimeProvider(T0), NullLogger.Instance);
        Assert.Equal(0, history.Statistics.Messages);
        Assert.Equal(T0, history.PrunedThrough); // what it held is gone: no range before now is fully covered
        var ids = new MonotonicMessageIdGenerator(new FakeTimeProvider(T0));
        Assert.Equal(1, history.Add([Message(ids, T0, 100)], T0));
    }

    [Fact]
    public void Add_WithAProtector_StoresNoPlaintextOnDisk_AndRangeReturnsTheOriginalBytes()
    {
        var keys = new EdgeGateway.Security.FileDataKeyWrapper(Path.Combine(_data.Path, "identity"));
        var ids = new MonotonicMessageIdGenerator(new FakeTimeProvider(T0));
        var message = Message(ids, T0, 2_000);
        using (var history = new RetainedHistory(FilePath, new RetentionOptions(), new FakeTimeProvider(T0), NullLogger.Instance, PayloadProtector.Open(FilePath, keys)))
        {
            Assert.Equal(1, history.Add([message], T0));
            Assert.Equal(message.Envelope.ToArray(), history.Range(T0, T0.AddSeconds(1), null, 10).Single().Envelope.ToArray());
        }

        // The payload's 1,940 'x' characters appear nowhere in the file; reopened with the key, the copy reads back.
        var file = File.ReadAllBytes(FilePath);
        Assert.Equal(-1, file.AsSpan().IndexOf(new byte[64].Select(_ => (byte)'x').ToArray()));
        using (var reopened = new RetainedHistory(FilePath, new RetentionOptions(), new FakeTimeProvider(T0), NullLogger.Instance, PayloadProtector.Open(FilePath, keys)))
        {
            Assert.Equal(message.Envelope.ToArray(), reopened.Range(T0, T0.AddSeconds(1), null, 10).Single().Envelope.ToArray());
        }

        // Without its key the copy is skipped, never returned as garbage.
        using var keyless = new RetainedHistory(FilePath, new RetentionOptions(), new FakeTimeProvider(T0), NullLogger.Instance);
        Assert.Empty(keyless.Range(T0, T0.AddSeconds(1), null, 10));
    }

    private static RetainedMessage Message(MonotonicMessageIdGenerator ids, DateTimeOffset captured, int size)
    {
        var id = ids.NextString();
        var envelope = new Envelope { MessageId = id, Stream = "s", Priority = PriorityClass.Event, Event = new DeviceEvent { Detail = new string('x', size - 60) } };
        return new RetainedMessage(id, PriorityClass.Event, "s", captured, envelope.ToByteArray());
    }
}
