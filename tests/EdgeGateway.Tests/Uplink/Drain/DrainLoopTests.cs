using EdgeGateway.Contracts.V1;
using EdgeGateway.Uplink;
using EdgeGateway.Uplink.Drain;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Tests.Uplink.Drain;

/// <summary>
/// The drain loop on fake time with a fake outbox and bearer: wake-ups are counted, so an idle drain
/// that spins (as one did: a "no deadline" timer re-armed at zero) fails here instead of in the field.
/// </summary>
public sealed class DrainLoopTests
{
    private const string Device = "car-loop";
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    private static readonly DrainSettings Settings = new(
        MaxInFlight: 10, MaxLease: 5, MaxBatch: 5, MaxBatchBytes: 256 * 1024, MaxMessagesPerSecond: 100_000, AckTimeout: TimeSpan.FromMinutes(30));

    [Fact]
    public async Task Run_NothingToSendForTenMinutes_WakesAtMostForTheOneMessage()
    {
        var time = new FakeTimeProvider();
        var outbox = new FakeDrainOutbox();
        var bearer = new RecordingBearer();
        var loop = new DrainLoop(outbox, Settings, new UplinkCounters(), time, new TestLogger<DrainLoop>());
        using var link = new CancellationTokenSource();
        var run = loop.RunAsync(bearer, link.Token);
        await Eventually.TrueAsync(() => loop.State == DrainState.Idle, Long, "drain parked");
        var parkedAt = loop.Wakeups;

        for (var second = 0; second < 600; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
        }

        // Still alive: one message wakes it once and goes out.
        outbox.Add(TestEnvelopes.Message(Device, PriorityClass.Event, "door"));
        await Eventually.TrueAsync(() => bearer.SentMessages == 1 && loop.State == DrainState.Idle, Long, "message sent, drain parked again");

        Assert.InRange(loop.Wakeups - parkedAt, 1, 2);
        Assert.InRange(outbox.LeaseCalls, 2, 4);
        await StopAsync(link, run);
    }

    [Fact]
    public async Task Run_OutboxSignalsButYieldsNothing_LeasesAtMostOncePerQuietGap()
    {
        var time = new FakeTimeProvider();
        var outbox = new FakeDrainOutbox { AlwaysSignals = true };
        var loop = new DrainLoop(outbox, Settings, new UplinkCounters(), time, new TestLogger<DrainLoop>());
        using var link = new CancellationTokenSource();
        var run = loop.RunAsync(new RecordingBearer(), link.Token);
        await Eventually.TrueAsync(() => loop.State == DrainState.Quiet, Long, "drain backed off");

        for (var second = 0; second < 600; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
        }

        await Eventually.TrueAsync(() => loop.State == DrainState.Quiet, Long, "drain parked");
        var leases = outbox.LeaseCalls;
        var wakeups = loop.Wakeups;

        // One lease per MaxQuietGap (1 s) at most, plus the few of the back-off; a spin would be millions.
        Assert.InRange(leases, 2, 600 + 10);
        Assert.InRange(wakeups, 1, (2 * 600) + 20);
        await StopAsync(link, run);
    }

    [Fact]
    public async Task Acknowledge_DeleteStillRunning_WindowAlreadyFreed()
    {
        var time = new FakeTimeProvider();
        var outbox = new FakeDrainOutbox { HoldDeletes = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var messages = Enumerable.Range(0, 30).Select(_ => TestEnvelopes.Message(Device)).ToList();
        messages.ForEach(outbox.Add);
        var bearer = new RecordingBearer();
        var counters = new UplinkCounters();
        var loop = new DrainLoop(outbox, Settings, counters, time, new TestLogger<DrainLoop>());
        using var stop = new CancellationTokenSource();
        var deletes = loop.RunAcknowledgementsAsync(stop.Token);
        using var link = new CancellationTokenSource();
        var run = loop.RunAsync(bearer, link.Token);
        await Eventually.TrueAsync(() => bearer.SentMessages == 10 && loop.State == DrainState.WindowFull, Long, "window full");

        loop.Acknowledge(messages.Take(5).Select(m => m.MessageId).ToList());

        await Eventually.TrueAsync(() => bearer.SentMessages == 15, Long, "five more sent while the delete is held");
        Assert.Equal(0, outbox.Deleted);
        Assert.Equal(5, loop.PendingDeletes);
        outbox.HoldDeletes.TrySetResult();
        await Eventually.TrueAsync(() => outbox.Deleted == 5 && loop.PendingDeletes == 0, Long, "deleted behind");
        Assert.Equal(5, counters.Acknowledged);
        await StopAsync(link, run);
        loop.CompleteAcknowledgements();
        await deletes.WaitAsync(Long, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Run_LinkEnds_EveryLeaseReturned()
    {
        var time = new FakeTimeProvider();
        var outbox = new FakeDrainOutbox();
        Enumerable.Range(0, 8).Select(_ => TestEnvelopes.Message(Device)).ToList().ForEach(outbox.Add);
        var bearer = new RecordingBearer();
        var loop = new DrainLoop(outbox, Settings, new UplinkCounters(), time, new TestLogger<DrainLoop>());
        using var link = new CancellationTokenSource();
        var run = loop.RunAsync(bearer, link.Token);
        await Eventually.TrueAsync(() => bearer.SentMessages == 8 && loop.State == DrainState.Idle, Long, "all sent");

        await StopAsync(link, run);

        Assert.Equal(8, loop.LastReturned);
        Assert.Null(loop.State);
        Assert.Equal(8, (await outbox.LeaseAsync(100, TestContext.Current.CancellationToken)).Count);
    }

    [Fact]
    public async Task Run_BacklogSendWaitsForRoom_EmergencyOvertakesItInOrder()
    {
        var time = new FakeTimeProvider();
        var outbox = new FakeDrainOutbox();
        var backlog = Enumerable.Range(0, 8).Select(_ => TestEnvelopes.Message(Device)).ToList();
        backlog.ForEach(outbox.Add);
        var bearer = new GatedBearer();
        var loop = new DrainLoop(outbox, Settings with { MaxInFlight = 100 }, new UplinkCounters(), time, new TestLogger<DrainLoop>());
        using var link = new CancellationTokenSource();
        var run = loop.RunAsync(bearer, link.Token);
        await Eventually.TrueAsync(() => bearer.Waiting == 1, Long, "a backlog batch waits for room");

        // Two Emergencies and an Alert arrive while the backlog batch still waits: they go out past it, in order.
        var urgent = new[]
        {
            TestEnvelopes.Message(Device, PriorityClass.Emergency, "panic"),
            TestEnvelopes.Message(Device, PriorityClass.Emergency, "panic"),
            TestEnvelopes.Message(Device, PriorityClass.Alert, "collision"),
        };
        outbox.Add(urgent[0]);
        await Eventually.TrueAsync(() => bearer.Sent.Count == 1, Long, "first Emergency sent past the waiting backlog");
        outbox.Add(urgent[1]);
        outbox.Add(urgent[2]);
        await Eventually.TrueAsync(() => bearer.Sent.Sum(b => b.Messages.Count) == 3, Long, "all urgent sent past the waiting backlog");
        Assert.Equal(1, bearer.Waiting);

        bearer.OpenRoom();
        await Eventually.TrueAsync(() => bearer.Sent.Sum(b => b.Messages.Count) == 11 && loop.State == DrainState.Idle, Long, "backlog sent once room opened");

        var sent = bearer.Sent.SelectMany(b => b.Messages).Select(m => m.MessageId).ToList();
        Assert.Equal(urgent.Select(m => m.MessageId), sent.Take(3));
        Assert.Equal(backlog.Select(m => m.MessageId), sent.Skip(3)); // the backlog in its own order, each once
        Assert.True(outbox.UrgentLeaseCalls >= 1);
        await StopAsync(link, run);
    }

    private static async Task StopAsync(CancellationTokenSource link, Task run)
    {
        await link.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(Long, TestContext.Current.CancellationToken));
    }
}
