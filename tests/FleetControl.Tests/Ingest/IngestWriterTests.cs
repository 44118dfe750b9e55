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
    public async Task Writer_BacklogCommitInProgress_UrgentBatchStoredAndAckedWithoutWaitingForIt()
    {
        var ct = TestContext.Current.CancellationToken;
        using var inner = new LiteDbFleetStore(Path.Combine(_dir.Path, "fleet.db"));
        var store = new BacklogGate(inner);
        var queue = new IngestQueue();
        var acks = new RecordingAckPublisher();
        var pubAcks = new PubAckRecorder(expected: 6);
        var emergency = Emergency("car-1");

        Task ArriveAsync(int arrival, List<Envelope> envelopes) => queue.Writer.WriteAsync(pubAcks.Batch("car-1", arrival, envelopes), ct).AsTask();

        var stats = new IngestStats();
        using var writer = new IngestWriter(queue, store, acks, stats, TimeProvider.System,
            Options.Create(new FleetControlOptions()), NullLogger<IngestWriter>.Instance);
        await writer.StartAsync(ct);
        try
        {
            // Five telemetry batches arrive; the backlog commit that takes them is held in the store.
            for (var b = 0; b < 5; b++)
            {
                await ArriveAsync(b, Enumerable.Range(0, 50).Select(i => TestEnvelopes.Position("car-1", (ulong)((b * 50) + i + 1))).ToList());
            }

            await store.BacklogCommitStarted.WaitAsync(Timeout, ct);

            // An Emergency arrives while that commit is in progress: stored and acknowledged before it ends.
            await ArriveAsync(5, [emergency]);
            await acks.WaitForAsync(emergency.MessageId).WaitAsync(Timeout, ct);
            Assert.Equal(1, await inner.CountEnvelopesAsync(ct));
            Assert.Empty(pubAcks.Order); // its PUBACK waits for the batches that arrived before it

            store.Release();
            await pubAcks.All.Task.WaitAsync(Timeout, ct);
        }
        finally
        {
            store.Release();
            await writer.StopAsync(CancellationToken.None);
        }

        Assert.Equal(emergency.MessageId, acks.Published.First().MessageIds[0]);
        Assert.Equal(251, acks.Published.Sum(a => a.MessageIds.Count));

        // PUBACKs to the broker in the order the PUBLISHes arrived (MQTT 5 [MQTT-4.6.0-2]).
        Assert.Equal([0, 1, 2, 3, 4, 5], pubAcks.Order);
        Assert.Equal(251, await inner.CountEnvelopesAsync(ct));
        Assert.Equal(251, stats.EnvelopesStored);
    }

    [Fact]
    public async Task Writer_BacklogTransactionHeldOpenInLiteDb_EmergencyJournaledAndAckedPubAcksStayInArrivalOrder()
    {
        var ct = TestContext.Current.CancellationToken;
        using var store = new LiteDbFleetStore(Path.Combine(_dir.Path, "fleet.db"), KnownIdWatermark.DefaultCapacity, chunkEnvelopes: 16);
        var queue = new IngestQueue();
        var acks = new RecordingAckPublisher();
        var pubAcks = new PubAckRecorder(expected: 2);
        var emergency = Emergency("car-2");
        var backlog = Enumerable.Range(0, 200).Select(i => TestEnvelopes.Position("car-2", (ulong)i + 1)).ToList();

        // The backlog commit stops inside its LiteDB transaction, holding the store's lock, until released.
        using var insideTransaction = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var held = 0;
        store.BetweenChunks = () =>
        {
            if (Interlocked.Exchange(ref held, 1) == 0)
            {
                insideTransaction.Set();
                release.Wait(Timeout);
            }
        };

        Task ArriveAsync(int arrival, List<Envelope> envelopes) => queue.Writer.WriteAsync(pubAcks.Batch("car-2", arrival, envelopes), ct).AsTask();

        var stats = new IngestStats();
        using var writer = new IngestWriter(queue, store, acks, stats, TimeProvider.System,
            Options.Create(new FleetControlOptions()), NullLogger<IngestWriter>.Instance);
        await writer.StartAsync(ct);
        try
        {
            await ArriveAsync(0, backlog);
            Assert.True(insideTransaction.Wait(Timeout, ct));

            // Durable in the urgent journal and acknowledged to the device while the backlog transaction holds the lock.
            await ArriveAsync(1, [emergency]);
            await acks.WaitForAsync(emergency.MessageId).WaitAsync(Timeout, ct);
            Assert.Equal([emergency.MessageId], acks.Published.SelectMany(a => a.MessageIds));
            Assert.Empty(pubAcks.Order); // the broker's PUBACKs still go in arrival order: the backlog's first

            release.Set();
            await pubAcks.All.Task.WaitAsync(Timeout, ct);
        }
        finally
        {
            release.Set();
            await writer.StopAsync(CancellationToken.None);
        }

        Assert.Equal([0, 1], pubAcks.Order);
        Assert.Equal(201, await store.CountEnvelopesAsync(ct));
        Assert.Equal(201, stats.EnvelopesStored);
        Assert.Single(await store.GetEventsAsync("car-2", 10, ct));
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

    /// <summary>The order in which the writer released batches' PUBACKs (by arrival number); <see cref="All"/> completes at the expected count.</summary>
    private sealed class PubAckRecorder(int expected)
    {
        public ConcurrentQueue<int> Order { get; } = new();

        public TaskCompletionSource All { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IngestBatch Batch(string deviceId, int arrival, List<Envelope> envelopes) => new(deviceId, envelopes, _ =>
        {
            Order.Enqueue(arrival);
            if (Order.Count == expected)
            {
                All.TrySetResult();
            }

            return Task.CompletedTask;
        });
    }

    private sealed class RecordingAckPublisher : IAckPublisher
    {
        private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiters = new(StringComparer.Ordinal);

        public ConcurrentQueue<DeliveryAck> Published { get; } = new();

        /// <summary>Completes when a DeliveryAck naming <paramref name="messageId"/> has been published.</summary>
        public Task WaitForAsync(string messageId) => Waiter(messageId).Task;

        public Task<bool> PublishAckAsync(string deviceId, DeliveryAck ack, CancellationToken cancellationToken)
        {
            Published.Enqueue(ack);
            foreach (var id in ack.MessageIds)
            {
                Waiter(id).TrySetResult();
            }

            return Task.FromResult(true);
        }

        private TaskCompletionSource Waiter(string id) =>
            _waiters.GetOrAdd(id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
    }

    /// <summary>Holds the first store call without urgent envelopes (a backlog commit in progress) until released.</summary>
    private sealed class BacklogGate(IFleetStore inner) : IFleetStore
    {
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task BacklogCommitStarted => _started.Task;

        public void Release() => _released.TrySetResult();

        public async Task<StoreBatchResult> StoreEnvelopesAsync(IReadOnlyList<Envelope> envelopes, DateTimeOffset receivedAt, CancellationToken cancellationToken)
        {
            if (envelopes.All(e => e.Priority is not (PriorityClass.Emergency or PriorityClass.Alert)))
            {
                _started.TrySetResult();
                await _released.Task.WaitAsync(cancellationToken);
            }

            return await inner.StoreEnvelopesAsync(envelopes, receivedAt, cancellationToken);
        }

        public Task RegisterDeviceAsync(DeviceRegistration registration, CancellationToken cancellationToken) => inner.RegisterDeviceAsync(registration, cancellationToken);
        public Task UpdateStatusAsync(string deviceId, DeviceStatus status, DateTimeOffset receivedAt, CancellationToken cancellationToken) => inner.UpdateStatusAsync(deviceId, status, receivedAt, cancellationToken);
        public Task<IReadOnlyList<DeviceRecord>> GetDevicesAsync(CancellationToken cancellationToken) => inner.GetDevicesAsync(cancellationToken);
        public Task<DevicePage> GetDevicePageAsync(DeviceQuery query, CancellationToken cancellationToken) => inner.GetDevicePageAsync(query, cancellationToken);
        public Task<DeviceRecord?> GetDeviceAsync(string deviceId, CancellationToken cancellationToken) => inner.GetDeviceAsync(deviceId, cancellationToken);
        public Task<IReadOnlyList<PositionRecord>> GetPositionsAsync(string deviceId, int limit, CancellationToken cancellationToken) => inner.GetPositionsAsync(deviceId, limit, cancellationToken);
        public Task<PositionPage> GetPositionsInWindowAsync(string deviceId, DateTimeOffset? from, DateTimeOffset? to, string? cursor, int limit, CancellationToken cancellationToken) => inner.GetPositionsInWindowAsync(deviceId, from, to, cursor, limit, cancellationToken);
        public Task<IReadOnlyList<DataLossRecord>> GetDataLossAsync(string deviceId, CancellationToken cancellationToken) => inner.GetDataLossAsync(deviceId, cancellationToken);
        public Task<IReadOnlyList<HealthSample>> GetHealthHistoryAsync(string deviceId, DateTimeOffset? from, DateTimeOffset? to, int limit, CancellationToken cancellationToken) => inner.GetHealthHistoryAsync(deviceId, from, to, limit, cancellationToken);
        public Task<IReadOnlyList<EventRecord>> GetEventsAsync(string deviceId, int limit, CancellationToken cancellationToken) => inner.GetEventsAsync(deviceId, limit, cancellationToken);
        public Task<long> CountDevicesAsync(CancellationToken cancellationToken) => inner.CountDevicesAsync(cancellationToken);
        public Task<long> CountEnvelopesAsync(CancellationToken cancellationToken) => inner.CountEnvelopesAsync(cancellationToken);
    }
}
