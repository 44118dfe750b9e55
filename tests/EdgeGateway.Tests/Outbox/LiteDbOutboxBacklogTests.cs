using System.Diagnostics;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using Google.Protobuf.WellKnownTypes;

namespace EdgeGateway.Tests.Outbox;

/// <summary>Weeks offline: a million queued messages must not slow the gateway down.</summary>
public sealed class LiteDbOutboxBacklogTests
{
    private const int Backlog = 1_000_000;

    [Fact]
    public async Task Open_OneMillionQueued_StartsFastAndEnqueueRateHolds()
    {
        using var empty = OutboxTestContext.Create(time: TimeProvider.System);
        using var full = OutboxTestContext.Create(time: TimeProvider.System);
        var build = Stopwatch.StartNew();
        var now = TimeProvider.System.GetUtcNow();
        for (var done = 0; done < Backlog; done += 20_000)
        {
            var chunk = Enumerable.Range(done, 20_000).Select(i => Position(full.Ids.NextString(), (ulong)i + 1, now)).ToList();
            var results = await full.Outbox.EnqueueManyAsync(chunk, TestContext.Current.CancellationToken);
            Assert.All(results, r => Assert.Equal(EnqueueResult.Accepted, r));
        }

        build.Stop();
        full.Outbox.Dispose();

        // Start-up: open, read state, ready to stamp and lease. No scan of the backlog.
        var startUp = Stopwatch.StartNew();
        full.Reopen();
        Assert.True(full.Outbox.TryGetLastSequence("gnss", out var lastSequence));
        var firstLease = await full.Outbox.LeaseAsync(100, TestContext.Current.CancellationToken);
        startUp.Stop();
        full.Outbox.ReleaseLeases();
        Assert.Equal((ulong)Backlog, lastSequence);
        Assert.Equal(100, firstLease.Count);
        Assert.Equal(Backlog, full.Outbox.GetStatistics().Classes.Sum(c => c.Depth));

        // Enqueue rate, empty store vs. one million queued: alternate rounds so load on the box hits both alike.
        var emptyTime = TimeSpan.Zero;
        var fullTime = TimeSpan.Zero;
        const int Rounds = 5;
        const int PerRound = 200;
        await empty.AcceptAsync(PriorityClass.Telemetry); // open + warm up
        for (var round = 0; round < Rounds; round++)
        {
            emptyTime += await TimeEnqueuesAsync(empty, PerRound);
            fullTime += await TimeEnqueuesAsync(full, PerRound);
        }

        var emptyRate = Rounds * PerRound / emptyTime.TotalSeconds;
        var fullRate = Rounds * PerRound / fullTime.TotalSeconds;

        // Drain: lease + acknowledge in batches, the uplink's loop without the network.
        var drain = Stopwatch.StartNew();
        var drained = 0;
        for (var i = 0; i < 40; i++)
        {
            var batch = await full.Outbox.LeaseAsync(500, TestContext.Current.CancellationToken);
            await full.Outbox.AcknowledgeAsync(batch.Select(m => m.MessageId).ToList(), TestContext.Current.CancellationToken);
            drained += batch.Count;
        }

        drain.Stop();
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"backlog build {build.Elapsed.TotalSeconds:0.0} s; start-up {startUp.ElapsedMilliseconds} ms; " +
            $"enqueue empty {emptyRate:0}/s, with 1M {fullRate:0}/s (ratio {fullRate / emptyRate:0.00}); " +
            $"drain {drained / drain.Elapsed.TotalSeconds:0}/s");

        Assert.True(startUp.Elapsed < TimeSpan.FromSeconds(2), $"start-up took {startUp.ElapsedMilliseconds} ms");
        Assert.True(fullRate >= 0.8 * emptyRate, $"enqueue with backlog {fullRate:0}/s vs empty {emptyRate:0}/s");
        Assert.Equal(20_000, drained);
        Assert.Equal(Backlog + (Rounds * PerRound) - drained, full.Outbox.GetStatistics().Classes.Sum(c => c.Depth));
    }

    private static async Task<TimeSpan> TimeEnqueuesAsync(OutboxTestContext context, int count)
    {
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var result = await context.Sink.AcceptAsync(Position(null, 0, TimeProvider.System.GetUtcNow()), TestContext.Current.CancellationToken);
            Assert.Equal(EnqueueResult.Accepted, result);
        }

        return stopwatch.Elapsed;
    }

    private static Envelope Position(string? messageId, ulong sequence, DateTimeOffset capturedAt) => new()
    {
        MessageId = messageId ?? string.Empty,
        DeviceId = "test-vehicle",
        Stream = "gnss",
        Sequence = sequence,
        Priority = PriorityClass.Telemetry,
        CapturedAt = Timestamp.FromDateTimeOffset(capturedAt),
        TimeSource = TimeSource.Gnss,
        ExpiresAt = Timestamp.FromDateTimeOffset(capturedAt + TimeSpan.FromDays(7)),
        Position = new Position
        {
            FixTime = Timestamp.FromDateTimeOffset(capturedAt),
            Latitude = 51.501 + (sequence % 1000 * 1e-5),
            Longitude = -0.142,
            SpeedMps = 13.4,
            TrackDeg = 270,
            Mode = FixMode._3D,
            SatellitesUsed = 9,
        },
    };
}
