using System.Collections.Concurrent;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Uplink;
using EdgeGateway.Uplink.Drain;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Tests.Uplink.Drain;

/// <summary>
/// The drain loop tells when a backlog has been leased and nothing more is left (the memory trim's trigger), and
/// stays silent for a trickle of single messages.
/// </summary>
public sealed class DrainLoopBacklogDrainedTests
{
    private const string Device = "car-burst";
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    private static readonly DrainSettings Settings = new(
        MaxInFlight: 4000, MaxLease: 100, MaxBatch: 100, MaxBatchBytes: 256 * 1024, MaxMessagesPerSecond: 100_000, AckTimeout: TimeSpan.FromMinutes(30));

    [Fact]
    public async Task Run_BacklogLeasedToEmpty_RaisesBacklogDrainedOnce_TrickleDoesNot()
    {
        var time = new FakeTimeProvider();
        var outbox = new FakeDrainOutbox();
        var backlog = DrainLoop.BacklogMessages + 200;
        Enumerable.Range(0, backlog).Select(_ => TestEnvelopes.Message(Device)).ToList().ForEach(outbox.Add);
        var bearer = new RecordingBearer();
        var loop = new DrainLoop(outbox, Settings, new UplinkCounters(), time, new TestLogger<DrainLoop>());
        var drained = new ConcurrentQueue<long>();
        loop.BacklogDrained += drained.Enqueue;
        using var link = new CancellationTokenSource();
        var run = loop.RunAsync(bearer, link.Token);
        await Eventually.TrueAsync(() => bearer.SentMessages == backlog && loop.State == DrainState.Idle && !drained.IsEmpty, Long, "backlog sent, drain parked");

        for (var i = 1; i <= 3; i++)
        {
            outbox.Add(TestEnvelopes.Message(Device, PriorityClass.Telemetry));
            var sent = backlog + i;
            await Eventually.TrueAsync(() => bearer.SentMessages == sent && loop.State == DrainState.Idle, Long, "one more sent, drain parked");
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal([(long)backlog], drained.ToArray());
        link.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(Long, TestContext.Current.CancellationToken));
    }
}
