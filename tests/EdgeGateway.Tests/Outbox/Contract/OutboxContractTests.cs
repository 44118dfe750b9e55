using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Outbox;

namespace EdgeGateway.Tests.Outbox.Contract;

/// <summary>
/// The behaviour every outbox must show, run against each implementation (LiteDB and in-memory):
/// priorities, minimum share, live-first, quotas, expiry, lease/ack/release, lease timeout.
/// Durability, crashes and quarantine are LiteDB-only and live beside it.
/// </summary>
public abstract class OutboxContractTests
{
    private protected abstract OutboxUnderTest Create(Action<OutboxOptions>? configure = null);

    [Fact]
    public async Task LeaseAsync_MixedBacklog_UrgentClassesOvertake()
    {
        using var outbox = Create();
        foreach (var priority in new[] { PriorityClass.Bulk, PriorityClass.Telemetry, PriorityClass.Read, PriorityClass.Event, PriorityClass.Alert, PriorityClass.Emergency })
        {
            for (var i = 0; i < 20; i++)
            {
                Assert.Equal(EnqueueResult.Accepted, await outbox.AcceptAsync(priority, priority.ToString()));
            }
        }

        var batch = await outbox.LeaseAsync(30);

        Assert.Equal(30, batch.Count);
        Assert.All(batch.Take(20), m => Assert.Equal(PriorityClass.Emergency, m.Priority));
        Assert.All(batch.Skip(20).Take(10), m => Assert.Equal(PriorityClass.Alert, m.Priority));
    }

    [Fact]
    public async Task LeaseUrgentAsync_MixedBacklog_OnlyEmergencyThenAlertOldestFirst()
    {
        using var outbox = Create();
        foreach (var priority in new[] { PriorityClass.Telemetry, PriorityClass.Alert, PriorityClass.Bulk, PriorityClass.Emergency, PriorityClass.Event, PriorityClass.Alert, PriorityClass.Emergency })
        {
            Assert.Equal(EnqueueResult.Accepted, await outbox.AcceptAsync(priority, priority.ToString()));
        }

        var urgent = await outbox.Outbox.LeaseUrgentAsync(10, OutboxUnderTest.Cancel);

        Assert.Equal([PriorityClass.Emergency, PriorityClass.Emergency, PriorityClass.Alert, PriorityClass.Alert], urgent.Select(m => m.Priority));
        Assert.Equal(urgent.Where(m => m.Priority == PriorityClass.Emergency).Select(m => m.MessageId).Order(StringComparer.Ordinal), urgent.Take(2).Select(m => m.MessageId));
        Assert.Empty(await outbox.Outbox.LeaseUrgentAsync(10, OutboxUnderTest.Cancel)); // leased: not handed out again
        Assert.Equal(3, (await outbox.LeaseAsync(10)).Count); // the rest, by the ordinary lease
    }

    [Fact]
    public async Task WaitForUrgentAsync_OnlyLowerClassesQueued_CompletesOnEmergency()
    {
        using var outbox = Create();
        await outbox.AcceptAsync(PriorityClass.Telemetry);
        await outbox.AcceptAsync(PriorityClass.Bulk, "bulk");
        var wait = outbox.Outbox.WaitForUrgentAsync(OutboxUnderTest.Cancel);
        Assert.False(wait.IsCompleted);

        await outbox.AcceptAsync(PriorityClass.Emergency, "panic");

        await wait.WaitAsync(TimeSpan.FromSeconds(30), OutboxUnderTest.Cancel);
        Assert.Single(await outbox.Outbox.LeaseUrgentAsync(10, OutboxUnderTest.Cancel));
        Assert.False(outbox.Outbox.WaitForUrgentAsync(OutboxUnderTest.Cancel).IsCompleted); // leased: nothing urgent waits
    }

    [Fact]
    public async Task LeaseAsync_DeepEventBacklog_LowerClassesKeepMinimumShare()
    {
        using var outbox = Create();
        var envelopes = new List<Envelope>();
        foreach (var priority in new[] { PriorityClass.Event, PriorityClass.Telemetry, PriorityClass.Bulk })
        {
            for (var i = 0; i < 1500; i++)
            {
                var draft = OutboxTestContext.Draft(priority, priority.ToString(), outbox.Time.GetUtcNow() - TimeSpan.FromHours(1));
                draft.MessageId = outbox.Ids.NextString();
                envelopes.Add(draft);
            }
        }

        await outbox.EnqueueManyAsync(envelopes);
        var counts = new Dictionary<PriorityClass, int>();
        for (var round = 0; round < 400; round++)
        {
            // One at a time is the hardest case for a share: it must still come round.
            var batch = await outbox.LeaseAsync(round % 2 == 0 ? 1 : 10);
            foreach (var message in batch)
            {
                counts[message.Priority] = counts.GetValueOrDefault(message.Priority) + 1;
            }

            await outbox.Outbox.AcknowledgeAsync(batch.Select(m => m.MessageId).ToList(), OutboxUnderTest.Cancel);
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
        using var outbox = Create(o => o.LiveWindow = TimeSpan.FromSeconds(60));
        for (var i = 0; i < 5; i++)
        {
            await outbox.AcceptAsync(PriorityClass.Telemetry);
            outbox.Time.Advance(TimeSpan.FromSeconds(1));
        }

        outbox.Time.Advance(TimeSpan.FromMinutes(10));
        for (var i = 0; i < 3; i++)
        {
            await outbox.AcceptAsync(PriorityClass.Telemetry);
            outbox.Time.Advance(TimeSpan.FromSeconds(1));
        }

        var batch = await outbox.LeaseAsync(8);
        var sequences = batch.Select(m => OutboxTestContext.Parse(m).Sequence).ToArray();

        Assert.Equal(new ulong[] { 8, 7, 6, 1, 2, 3, 4, 5 }, sequences);
    }

    [Fact]
    public async Task LeaseAsync_Leased_NotHandedOutAgainUntilReleased()
    {
        using var outbox = Create();
        for (var i = 0; i < 10; i++)
        {
            await outbox.AcceptAsync(PriorityClass.Read, "anpr");
        }

        var first = await outbox.LeaseAsync(4);
        var second = await outbox.LeaseAsync(100);
        Assert.Equal(4, first.Count);
        Assert.Equal(6, second.Count);
        Assert.Empty(first.Select(m => m.MessageId).Intersect(second.Select(m => m.MessageId)));
        Assert.Empty(await outbox.LeaseAsync(100));

        outbox.Outbox.ReleaseLeases();
        var again = await outbox.LeaseAsync(100);

        Assert.Equal(first.Concat(second).Select(m => m.MessageId).Order(), again.Select(m => m.MessageId).Order());
    }

    [Fact]
    public async Task LeaseAsync_LeaseTimedOut_LeasedAgain()
    {
        using var outbox = Create(o => o.LeaseTimeout = TimeSpan.FromSeconds(30));
        await outbox.AcceptAsync(PriorityClass.Event, "status");
        var first = await outbox.LeaseAsync(10);
        outbox.Time.Advance(TimeSpan.FromSeconds(29));
        Assert.Empty(await outbox.LeaseAsync(10));

        outbox.Time.Advance(TimeSpan.FromSeconds(2));
        var second = await outbox.LeaseAsync(10);

        Assert.Equal(first.Single().MessageId, second.Single().MessageId);
    }

    [Fact]
    public async Task AcknowledgeAsync_KnownAndUnknownIds_DeletesKnownIgnoresUnknown()
    {
        using var outbox = Create();
        for (var i = 0; i < 5; i++)
        {
            await outbox.AcceptAsync(PriorityClass.Alert, "anpr-hit");
        }

        var leased = await outbox.LeaseAsync(3);
        var ids = leased.Select(m => m.MessageId).Append(Guid.NewGuid().ToString()).Append("not-a-uuid").ToList();

        await outbox.Outbox.AcknowledgeAsync(ids, OutboxUnderTest.Cancel);
        await outbox.Outbox.AcknowledgeAsync(ids, OutboxUnderTest.Cancel); // duplicate ack
        outbox.Outbox.ReleaseLeases();
        var rest = await outbox.LeaseAsync(100);

        Assert.Equal(2, rest.Count);
        Assert.Empty(rest.Select(m => m.MessageId).Intersect(ids));
        var statistics = outbox.Statistics();
        Assert.Equal(2, statistics.Classes.Single(c => c.Priority == PriorityClass.Alert).Depth);
        Assert.Equal(3UL, statistics.AcknowledgedTotal);
        Assert.Equal(5UL, statistics.AcceptedTotal);
    }

    [Fact]
    public async Task AcknowledgeAsync_UnleasedStoredId_Deleted()
    {
        using var outbox = Create();
        await outbox.AcceptAsync(PriorityClass.Read, "anpr");
        var leased = await outbox.LeaseAsync(1);
        outbox.Outbox.ReleaseLeases();

        await outbox.Outbox.AcknowledgeAsync([leased[0].MessageId], OutboxUnderTest.Cancel);

        Assert.Empty(await outbox.LeaseAsync(10));
        Assert.Equal(0, outbox.Depth(PriorityClass.Read));
    }

    [Fact]
    public async Task WaitForMessagesAsync_NothingQueued_CompletesOnEnqueue()
    {
        using var outbox = Create();
        outbox.Statistics(); // open
        var wait = outbox.Outbox.WaitForMessagesAsync(OutboxUnderTest.Cancel);
        Assert.False(wait.IsCompleted);

        await outbox.AcceptAsync(PriorityClass.Telemetry);

        await wait.WaitAsync(TimeSpan.FromSeconds(10), OutboxUnderTest.Cancel);
        await outbox.Outbox.WaitForMessagesAsync(OutboxUnderTest.Cancel).WaitAsync(TimeSpan.FromSeconds(10), OutboxUnderTest.Cancel);
    }

    [Fact]
    public async Task LeaseAsync_MessagesExpired_NotReturnedAndCountedAsExpired()
    {
        using var outbox = Create(o => o.Classes["Telemetry"] = new OutboxClassOptions { Expiry = TimeSpan.FromMinutes(5) });
        for (var i = 0; i < 4; i++)
        {
            await outbox.AcceptAsync(PriorityClass.Telemetry);
        }

        await outbox.AcceptAsync(PriorityClass.Event, "status");
        outbox.Time.Advance(TimeSpan.FromMinutes(6));

        var batch = await outbox.LeaseAsync(100);

        Assert.Equal(PriorityClass.Event, Assert.Single(batch).Priority);
        Assert.Equal(4UL, outbox.Drops(PriorityClass.Telemetry, "expired"));
        Assert.Equal(0, outbox.Depth(PriorityClass.Telemetry));
    }

    [Fact]
    public async Task EnqueueAsync_AlreadyExpired_RefusedExpiredAndCounted()
    {
        using var outbox = Create();
        var draft = OutboxTestContext.Draft(PriorityClass.Telemetry, "gnss", outbox.Time.GetUtcNow() - TimeSpan.FromDays(8));

        var result = await outbox.Sink.AcceptAsync(draft, OutboxUnderTest.Cancel);

        Assert.Equal(EnqueueResult.RefusedExpired, result);
        Assert.Equal(1UL, outbox.Drops(PriorityClass.Telemetry, "expired"));
    }

    [Fact]
    public async Task EnqueueAsync_TelemetryAtQuota_ThinsHistoryThenEvictsOldest()
    {
        const long Quota = 64 * 1024;
        using var outbox = Create(o =>
        {
            o.Classes["Telemetry"] = new OutboxClassOptions { QuotaBytes = Quota };
            o.ThinningStretch = 16;
            o.LiveWindow = TimeSpan.FromSeconds(10);
        });
        var results = new List<EnqueueResult>();
        for (var i = 0; i < 400; i++)
        {
            results.Add(await outbox.AcceptAsync(PriorityClass.Telemetry, "gnss", padding: 900));
            outbox.Time.Advance(TimeSpan.FromSeconds(1));
        }

        var telemetry = outbox.Statistics().Classes.Single(c => c.Priority == PriorityClass.Telemetry);
        var thinned = outbox.Drops(PriorityClass.Telemetry, "thinned");
        var evicted = outbox.Drops(PriorityClass.Telemetry, "evicted");

        Assert.All(results, r => Assert.Equal(EnqueueResult.Accepted, r));
        Assert.True(telemetry.Bytes <= Quota, $"{telemetry.Bytes} bytes over quota");
        Assert.True(thinned > 0, "history thinned first");
        Assert.True(evicted > 0, "then evicted");
        Assert.Equal(400UL, (ulong)telemetry.Depth + thinned + evicted);

        // The newest message always survives; thinning left gaps in the oldest stretch.
        var kept = (await outbox.LeaseAllAsync()).Select(m => OutboxTestContext.Parse(m).Sequence).Order().ToList();
        Assert.Contains(400UL, kept);
        Assert.Equal(kept.Count, kept.Distinct().Count());
    }

    [Theory]
    [InlineData(PriorityClass.Alert)]
    [InlineData(PriorityClass.Bulk)]
    [InlineData(PriorityClass.Event)]
    public async Task EnqueueAsync_EvidenceClassAtQuota_RefusedNeverEvicted(PriorityClass priority)
    {
        using var outbox = Create(o => o.Classes[priority.ToString()] = new OutboxClassOptions { QuotaBytes = 64 * 1024 });
        var results = new List<EnqueueResult>();
        for (var i = 0; i < 100; i++)
        {
            results.Add(await outbox.AcceptAsync(priority, "evidence", padding: 900));
        }

        var accepted = results.Count(r => r == EnqueueResult.Accepted);
        Assert.InRange(accepted, 60, 70);
        Assert.All(results.Skip(accepted), r => Assert.Equal(EnqueueResult.RefusedQuota, r));
        Assert.Equal((ulong)(100 - accepted), outbox.Drops(priority, "refused"));
        Assert.Equal(0UL, outbox.Drops(priority, "evicted"));

        var kept = (await outbox.LeaseAllAsync()).Where(m => m.Stream == "evidence").Select(m => OutboxTestContext.Parse(m).Sequence).ToList();
        Assert.Equal(Enumerable.Range(1, accepted).Select(i => (ulong)i), kept);
    }

    [Fact]
    public async Task AcceptAsync_SequencesPerStream_GapFreeAndContinuing()
    {
        using var outbox = Create();
        for (var i = 0; i < 3; i++)
        {
            await outbox.AcceptAsync(PriorityClass.Event, "door");
            await outbox.AcceptAsync(PriorityClass.Telemetry, "gnss");
        }

        var byStream = (await outbox.LeaseAllAsync()).Select(OutboxTestContext.Parse).GroupBy(e => e.Stream).ToDictionary(g => g.Key, g => g.Select(e => e.Sequence).Order().ToList());

        Assert.Equal([1UL, 2UL, 3UL], byStream["door"]);
        Assert.Equal([1UL, 2UL, 3UL], byStream["gnss"]);
        Assert.All(byStream.Values.SelectMany(v => v), s => Assert.True(s > 0));
    }
}
