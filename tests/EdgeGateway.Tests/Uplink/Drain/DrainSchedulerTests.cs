using EdgeGateway.Contracts.V1;
using EdgeGateway.Outbox;
using EdgeGateway.Uplink.Drain;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Tests.Uplink.Drain;

/// <summary>The drain scheduler on its own: fake time, no outbox, no bearer, no broker.</summary>
public sealed class DrainSchedulerTests
{
    private const string Device = "car-drain";

    private static readonly DrainSettings Settings = new(
        MaxInFlight: 10, MaxLease: 5, MaxBatch: 5, MaxBatchBytes: 256 * 1024, MaxMessagesPerSecond: 100_000, AckTimeout: TimeSpan.FromSeconds(20));

    [Fact]
    public void Next_NothingToLease_WaitsForTheOutboxWithNoDeadline()
    {
        var scheduler = new DrainScheduler(Settings, new FakeTimeProvider());

        var first = scheduler.Next(pendingDeletes: 0);
        Assert.Equal(DrainAction.Lease, first.Action);
        Assert.Equal(5, first.Count);
        scheduler.OnLeased(DrainAction.Lease, [], out _);

        var step = scheduler.Next(pendingDeletes: 0);
        Assert.Equal(DrainAction.Wait, step.Action);
        Assert.Equal(Timeout.InfiniteTimeSpan, step.Due);
        Assert.True(step.WantsOutboxSignal);
        Assert.Equal(DrainState.Idle, scheduler.State);
    }

    [Fact]
    public void Next_MessagesInFlight_WaitsUntilTheAckTimeout()
    {
        var time = new FakeTimeProvider();
        var scheduler = new DrainScheduler(Settings, time);
        Send(scheduler, 3);
        scheduler.OnLeased(DrainAction.Lease, [], out _);
        time.Advance(TimeSpan.FromSeconds(5));

        var step = scheduler.Next(pendingDeletes: 0);

        Assert.Equal(DrainAction.Wait, step.Action);
        Assert.Equal(TimeSpan.FromSeconds(15), step.Due);
        time.Advance(TimeSpan.FromSeconds(15));
        var overdue = scheduler.Next(pendingDeletes: 0);
        Assert.Equal(DrainAction.ReturnOverdue, overdue.Action);
        Assert.Equal(3, overdue.Count);
        Assert.Equal(3, scheduler.ReturnAll());
        Assert.Equal(0, scheduler.InFlight);
        Assert.Equal(DrainAction.Lease, scheduler.Next(pendingDeletes: 0).Action);
    }

    [Fact]
    public void Next_WindowFull_ProbesAndSendsOnlyUrgentAtOnce()
    {
        var time = new FakeTimeProvider();
        var scheduler = new DrainScheduler(Settings, time);
        Send(scheduler, 10);

        var probe = scheduler.Next(pendingDeletes: 0);
        Assert.Equal(DrainAction.Probe, probe.Action);
        Assert.Equal(1, probe.Count);
        Assert.Equal(DrainState.WindowFull, scheduler.State);
        var emergency = TestEnvelopes.Message(Device, PriorityClass.Emergency, "button");
        Assert.Equal([emergency], scheduler.OnLeased(DrainAction.Probe, [emergency], out _));
        scheduler.OnSent([emergency.MessageId], emergency.Envelope.Length);

        // Urgent: look again at once. A non-urgent result is held and the next probe waits the gap.
        Assert.Equal(DrainAction.Probe, scheduler.Next(pendingDeletes: 0).Action);
        var telemetry = TestEnvelopes.Message(Device);
        Assert.Empty(scheduler.OnLeased(DrainAction.Probe, [telemetry], out _));
        Assert.Equal(1, scheduler.Held);
        scheduler.OnOutboxSignal();
        var wait = scheduler.Next(pendingDeletes: 0);
        Assert.Equal(DrainAction.Wait, wait.Action);
        Assert.Equal(DrainScheduler.ProbeGap, wait.Due);
        time.Advance(DrainScheduler.ProbeGap);
        Assert.Equal(DrainAction.Probe, scheduler.Next(pendingDeletes: 0).Action);
    }

    [Fact]
    public void OnAcknowledged_FreesTheWindowBeforeTheDelete_HeldGoFirst()
    {
        var scheduler = new DrainScheduler(Settings, new FakeTimeProvider());
        var ids = Send(scheduler, 10);
        var telemetry = TestEnvelopes.Message(Device);
        Assert.Equal(DrainAction.Probe, scheduler.Next(pendingDeletes: 0).Action);
        scheduler.OnLeased(DrainAction.Probe, [telemetry], out _);

        Assert.Equal(4, scheduler.OnAcknowledged(ids.Take(4)));
        var step = scheduler.Next(pendingDeletes: 4);

        Assert.Equal(DrainAction.SendHeld, step.Action);
        Assert.Equal([telemetry], step.Messages);
        scheduler.OnSent([telemetry.MessageId], telemetry.Envelope.Length);
        var lease = scheduler.Next(pendingDeletes: 4);
        Assert.Equal(DrainAction.Lease, lease.Action);
        Assert.Equal(3, lease.Count);
    }

    [Fact]
    public void Next_AWindowOfDeletesPending_LeasesNoBacklog()
    {
        var scheduler = new DrainScheduler(Settings, new FakeTimeProvider());

        var step = scheduler.Next(pendingDeletes: Settings.MaxInFlight);

        Assert.Equal(DrainAction.Probe, step.Action);
        Assert.Equal(DrainState.WindowFull, scheduler.State);
    }

    [Fact]
    public void Next_PacingEmpty_WaitsForTheRefill()
    {
        var time = new FakeTimeProvider();
        var scheduler = new DrainScheduler(Settings with { MaxMessagesPerSecond = 100, MaxInFlight = 1000 }, time);
        Send(scheduler, 10);
        Assert.Equal(DrainAction.Probe, scheduler.Next(pendingDeletes: 0).Action);
        scheduler.OnLeased(DrainAction.Probe, [TestEnvelopes.Message(Device)], out _);

        var step = scheduler.Next(pendingDeletes: 0);

        // 100/s: one token (the held message) in 10 ms.
        Assert.Equal(DrainAction.Wait, step.Action);
        Assert.Equal(DrainState.Paced, scheduler.State);
        Assert.Equal(TimeSpan.FromMilliseconds(10), step.Due);
        time.Advance(step.Due);
        Assert.Equal(DrainAction.SendHeld, scheduler.Next(pendingDeletes: 0).Action);
    }

    [Fact]
    public void OnLeased_SignalButNothingToLeaseTwice_BacksOffToTheQuietGap()
    {
        var time = new FakeTimeProvider();
        var scheduler = new DrainScheduler(Settings, time);
        var gaps = new List<TimeSpan>();
        for (var i = 0; i < 8; i++)
        {
            scheduler.OnOutboxSignal();
            var step = scheduler.Next(pendingDeletes: 0);
            if (step.Action == DrainAction.Wait)
            {
                gaps.Add(step.Due);
                Assert.Equal(DrainState.Quiet, scheduler.State);
                Assert.False(step.WantsOutboxSignal);
                time.Advance(step.Due);
                step = scheduler.Next(pendingDeletes: 0);
            }

            Assert.Equal(DrainAction.Lease, step.Action);
            scheduler.OnLeased(DrainAction.Lease, [], out _);
        }

        Assert.Equal([50, 100, 200, 400, 800, 1000], gaps.Select(g => (int)g.TotalMilliseconds));

        // Something leased: back to leasing at once.
        scheduler.OnOutboxSignal();
        time.Advance(DrainScheduler.MaxQuietGap);
        scheduler.OnLeased(DrainAction.Lease, [TestEnvelopes.Message(Device)], out _);
        scheduler.OnOutboxSignal();
        Assert.Equal(DrainAction.Lease, scheduler.Next(pendingDeletes: 0).Action);
    }

    [Fact]
    public void OnLeased_ExpiredMessage_SkippedAndReturnedOnceNothingIsInFlight()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var scheduler = new DrainScheduler(Settings, time);
        var stale = TestEnvelopes.Message(Device, expiresAt: time.GetUtcNow().AddSeconds(-1));
        var fresh = TestEnvelopes.Message(Device);

        var live = scheduler.OnLeased(DrainAction.Lease, [stale, fresh], out var skipped);

        Assert.Equal([fresh], live);
        Assert.Equal(1, skipped);
        scheduler.OnSent([fresh.MessageId], fresh.Envelope.Length);
        scheduler.OnLeased(DrainAction.Lease, [], out _);
        Assert.Equal(DrainAction.Wait, scheduler.Next(pendingDeletes: 0).Action);
        scheduler.OnAcknowledged([fresh.MessageId]);
        Assert.Equal(DrainAction.ReturnExpired, scheduler.Next(pendingDeletes: 0).Action);
    }

    [Fact]
    public void Next_InFlightBytesAtTheLimit_LeasesNoBacklogButStillProbesForUrgent()
    {
        var scheduler = new DrainScheduler(Settings with { MaxInFlightBytes = 64 * 1024 }, new FakeTimeProvider());
        var small = Send(scheduler, 2, bytes: 1024);
        Assert.Equal(DrainAction.Lease, scheduler.Next(pendingDeletes: 0).Action); // 2 of 10 messages, 1 KiB: room
        var large = Send(scheduler, 1, bytes: 64 * 1024);

        var step = scheduler.Next(pendingDeletes: 0);

        Assert.Equal(DrainAction.Probe, step.Action); // 3 of 10 messages, but 65 KiB in flight
        Assert.Equal(DrainState.WindowFull, scheduler.State);
        Assert.Equal(65 * 1024, scheduler.InFlightBytes);
        scheduler.OnAcknowledged(large);
        Assert.Equal(1024, scheduler.InFlightBytes);
        Assert.Equal(DrainAction.Lease, scheduler.Next(pendingDeletes: 1).Action);
        scheduler.OnAcknowledged(small);
        Assert.Equal(0, scheduler.InFlightBytes);
    }

    [Fact]
    public void OnLeased_LeaseBeyondTheByteRoom_HoldsTheRestUntilAcksMakeRoom()
    {
        var scheduler = new DrainScheduler(Settings with { MaxInFlightBytes = 64 * 1024 }, new FakeTimeProvider());
        var large = Enumerable.Range(0, 4).Select(_ => TestEnvelopes.Message(Device, PriorityClass.Bulk) with { Envelope = new byte[40 * 1024] }).ToList();
        Assert.Equal(DrainAction.Lease, scheduler.Next(pendingDeletes: 0).Action);

        var now = scheduler.OnLeased(DrainAction.Lease, large, out _);

        Assert.Equal([large[0]], now); // a second 40 KiB would put 80 KiB in flight
        Assert.Equal(3, scheduler.Held);
        scheduler.OnSent([large[0].MessageId], large[0].Envelope.Length);
        var next = scheduler.Next(pendingDeletes: 0);
        Assert.Equal(DrainAction.SendHeld, next.Action);
        Assert.Equal([large[1]], next.Messages); // 40 KiB in flight, under the limit: one more, whatever its size
        scheduler.OnSent([large[1].MessageId], large[1].Envelope.Length);
        Assert.Equal(DrainAction.Probe, scheduler.Next(pendingDeletes: 0).Action); // 80 KiB: only an urgent one may pass

        scheduler.OnAcknowledged([large[0].MessageId]);
        var held = scheduler.Next(pendingDeletes: 1);
        Assert.Equal(DrainAction.SendHeld, held.Action);
        Assert.Equal([large[2]], held.Messages); // in lease order
        Assert.Equal(1, scheduler.Held);
    }

    private static List<string> Send(DrainScheduler scheduler, int count, long bytes = 100)
    {
        var ids = Enumerable.Range(0, count).Select(_ => TestEnvelopes.Message(Device).MessageId).ToList();
        scheduler.OnSent(ids, bytes);
        return ids;
    }
}
