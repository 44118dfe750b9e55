using System.Collections.Concurrent;
using EdgeGateway.Contracts.V1;
using FleetControl.Hosting;
using FleetControl.Ingest;
using FleetControl.Store;
using FleetControl.Store.PostgreSql;
using FleetControl.Tests.Infrastructure;
using FleetControl.Tests.Store.PostgreSql;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FleetControl.Tests.Ingest;

/// <summary>
/// The ingest writer's two lanes against a real store: a telemetry backlog with Emergency batches interleaved
/// (and redeliveries of both) is stored exactly once, each stream in its order, every batch acknowledged and
/// PUBACKed in arrival order. Behaviour only: the interleaving of the lanes is whatever the machine makes it.
/// </summary>
public abstract class IngestLanesExactlyOnceTests : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private protected abstract Task<IFleetStore> CreateStoreAsync();

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Writer_BacklogWithInterleavedEmergencies_EachStoredOncePerStreamInOrderPubAcksInArrivalOrder()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = new RecordingStore(await CreateStoreAsync());
        var queue = new IngestQueue();
        var acks = new RecordingAckPublisher();
        var pubAcks = new ConcurrentQueue<int>();

        // 40 telemetry batches of 50 over two streams; an Emergency after every fourth; a telemetry batch and
        // an Emergency delivered twice (the broker's redelivery after a lost PUBACK).
        var arrivals = new List<List<Envelope>>();
        var emergencies = new List<Envelope>();
        var sequences = new Dictionary<string, ulong>(StringComparer.Ordinal);
        for (var b = 0; b < 40; b++)
        {
            var stream = $"gnss-{b % 2}";
            var batch = new List<Envelope>();
            for (var i = 0; i < 50; i++)
            {
                var sequence = sequences[stream] = sequences.GetValueOrDefault(stream) + 1;
                var envelope = TestEnvelopes.Position("car-1", sequence);
                envelope.Stream = stream;
                batch.Add(envelope);
            }

            arrivals.Add(batch);
            if (b % 4 == 3)
            {
                var emergency = Emergency("car-1", (ulong)emergencies.Count + 1);
                emergencies.Add(emergency);
                arrivals.Add([emergency]);
            }

            if (b == 20)
            {
                arrivals.Add(arrivals[3].Select(e => e.Clone()).ToList());
                arrivals.Add([emergencies[1].Clone()]);
            }
        }

        var allPubAcked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stats = new IngestStats();
        using var writer = new IngestWriter(queue, store, acks, stats, TimeProvider.System,
            Options.Create(new FleetControlOptions()), NullLogger<IngestWriter>.Instance);
        await writer.StartAsync(ct);
        try
        {
            for (var a = 0; a < arrivals.Count; a++)
            {
                var arrival = a;
                await queue.Writer.WriteAsync(new IngestBatch("car-1", arrivals[a], _ =>
                {
                    pubAcks.Enqueue(arrival);
                    if (pubAcks.Count == arrivals.Count)
                    {
                        allPubAcked.TrySetResult();
                    }

                    return Task.CompletedTask;
                }), ct);
            }

            await allPubAcked.Task.WaitAsync(Timeout, ct);
        }
        finally
        {
            await writer.StopAsync(CancellationToken.None);
        }

        var distinct = arrivals.SelectMany(a => a).Select(e => e.MessageId).Distinct(StringComparer.Ordinal).Count();
        Assert.Equal(2000 + emergencies.Count, distinct);
        Assert.Equal(distinct, await store.CountEnvelopesAsync(ct));
        Assert.Equal(distinct, stats.EnvelopesStored);
        Assert.Equal(51, stats.Duplicates);

        // Every batch got its DeliveryAck with all its ids, the redelivered ones too.
        Assert.Equal(
            arrivals.Select(a => string.Join(',', a.Select(e => e.MessageId))).Order(StringComparer.Ordinal),
            acks.Published.Select(a => string.Join(',', a.MessageIds)).Order(StringComparer.Ordinal));

        // Each stream was stored in its order (each stream is one class, committed by one lane).
        foreach (var stream in new[] { "gnss-0", "gnss-1", "panic" })
        {
            var stored = store.FirstStoredOrder.Where(e => e.Stream == stream).Select(e => e.Sequence).ToList();
            Assert.Equal(stored.Order(), stored);
            Assert.Equal(stream == "panic" ? emergencies.Count : 1000, stored.Count);
        }

        // PUBACKs to the broker in the order the PUBLISHes arrived (MQTT 5 [MQTT-4.6.0-2]).
        Assert.Equal(Enumerable.Range(0, arrivals.Count), pubAcks);
    }

    private static Envelope Emergency(string deviceId, ulong sequence)
    {
        var envelope = TestEnvelopes.Position(deviceId, sequence);
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

    /// <summary>
    /// Records, per store call in the order the calls start, the envelopes not passed in before. A lane's calls
    /// follow one another, so for the streams of one lane this is the order they were committed in.
    /// </summary>
    private sealed class RecordingStore(IFleetStore inner) : IFleetStore
    {
        private readonly Lock _lock = new();
        private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

        public List<Envelope> FirstStoredOrder { get; } = [];

        public Task<StoreBatchResult> StoreEnvelopesAsync(IReadOnlyList<Envelope> envelopes, DateTimeOffset receivedAt, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                FirstStoredOrder.AddRange(envelopes.Where(e => _seen.Add(e.MessageId)));
            }

            return inner.StoreEnvelopesAsync(envelopes, receivedAt, cancellationToken);
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

/// <summary>The lanes on LiteDB, whose backlog commits are split into transactions a small commit goes between.</summary>
public sealed class LiteDbIngestLanesExactlyOnceTests : IngestLanesExactlyOnceTests
{
    private readonly TempDirectory _dir = new();
    private LiteDbFleetStore? _store;

    private protected override Task<IFleetStore> CreateStoreAsync()
    {
        _store = new LiteDbFleetStore(Path.Combine(_dir.Path, "fleet.db"));
        return Task.FromResult<IFleetStore>(_store);
    }

    public override ValueTask DisposeAsync()
    {
        _store?.Dispose();
        _dir.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>The lanes on PostgreSQL, where the urgent lane's transaction runs beside the backlog's on its own connection.</summary>
public sealed class PostgreSqlIngestLanesExactlyOnceTests(PostgreSqlCluster cluster) : IngestLanesExactlyOnceTests
{
    private NpgsqlDataSource? _dataSource;

    private protected override async Task<IFleetStore> CreateStoreAsync()
    {
        _dataSource = await PostgreSqlTestDatabase.CreateAsync(cluster);
        return new PostgreSqlFleetStore(_dataSource);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }
    }
}
