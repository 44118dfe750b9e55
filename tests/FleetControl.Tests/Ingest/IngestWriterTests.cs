using System.Collections.Concurrent;
using EdgeGateway.Contracts.V1;
using FleetControl.Hosting;
using FleetControl.Ingest;
using FleetControl.Store;
using FleetControl.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FleetControl.Tests.Ingest;

public sealed class IngestWriterTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Writer_UrgentBatchBehindBacklog_CommittedFirstPubAcksStayInArrivalOrder()
    {
        var ct = TestContext.Current.CancellationToken;
        using var store = new LiteDbFleetStore(Path.Combine(_dir.Path, "fleet.db"));
        var queue = new IngestQueue();
        var acks = new RecordingAckPublisher();
        var pubAcks = new ConcurrentQueue<int>();
        var allPubAcked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var emergency = Emergency("car-1");

        // Five telemetry batches arrive first, then one Emergency; all wait before the writer runs.
        for (var b = 0; b < 6; b++)
        {
            var arrival = b;
            var envelopes = Enumerable.Range(0, 50).Select(i => TestEnvelopes.Position("car-1", (ulong)((arrival * 50) + i + 1))).ToList();
            if (b == 5)
            {
                envelopes = [emergency];
            }

            await queue.Writer.WriteAsync(new IngestBatch("car-1", envelopes, _ =>
            {
                pubAcks.Enqueue(arrival);
                if (pubAcks.Count == 6)
                {
                    allPubAcked.TrySetResult();
                }

                return Task.CompletedTask;
            }), ct);
        }

        var stats = new IngestStats();
        using var writer = new IngestWriter(queue, store, acks, stats, TimeProvider.System,
            Options.Create(new FleetControlOptions()), NullLogger<IngestWriter>.Instance);
        await writer.StartAsync(ct);
        try
        {
            await allPubAcked.Task.WaitAsync(Timeout, ct);
        }
        finally
        {
            await writer.StopAsync(CancellationToken.None);
        }

        // The Emergency had its own commit and its DeliveryAck went out before any telemetry's.
        Assert.Equal(2, stats.Commits);
        Assert.Equal([1, 50, 50, 50, 50, 50], acks.Published.Select(a => a.MessageIds.Count));
        Assert.Equal(emergency.MessageId, acks.Published.First().MessageIds[0]);

        // PUBACKs to the broker in the order the PUBLISHes arrived (MQTT 5 [MQTT-4.6.0-2]).
        Assert.Equal([0, 1, 2, 3, 4, 5], pubAcks);
        Assert.Equal(251, await store.CountEnvelopesAsync(ct));
    }

    private static Envelope Emergency(string deviceId)
    {
        var envelope = TestEnvelopes.Position(deviceId, 1_000);
        envelope.Stream = "panic";
        envelope.Priority = PriorityClass.Emergency;
        envelope.Position = null;
        envelope.Event = new DeviceEvent { Type = "emergency", Detail = "officer emergency button" };
        return envelope;
    }

    private sealed class RecordingAckPublisher : IAckPublisher
    {
        public ConcurrentQueue<DeliveryAck> Published { get; } = new();

        public Task<bool> PublishAckAsync(string deviceId, DeliveryAck ack, CancellationToken cancellationToken)
        {
            Published.Enqueue(ack);
            return Task.FromResult(true);
        }
    }
}
