using System.Collections.Concurrent;
using System.Diagnostics;
using EdgeGateway.Contracts;
using EdgeGateway.Contracts.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace EdgeGateway.Benchmarks.Fleet;

/// <summary>
/// Many gateways at the protocol level: one MQTT 5 client per device, each publishing a batch of
/// position envelopes once per interval (1 s by default; devices spread evenly over it) and matching the
/// DeliveryAcks that come back.
/// </summary>
internal sealed class SimulatedFleet(int port, int batchSize, TimeSpan interval) : IAsyncDisposable
{
    private readonly List<IMqttClient> _clients = [];
    private readonly ConcurrentDictionary<string, long> _pending = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<double> _latencies = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private long _published;
    private long _acked;

    public bool MeasureLatency { get; set; }

    public int Outstanding => _pending.Count;

    public (long PublishedEnvelopes, long AckedEnvelopes) Snapshot() => (Interlocked.Read(ref _published), Interlocked.Read(ref _acked));

    public List<double> Latencies()
    {
        var list = _latencies.ToList();
        list.Sort();
        return list;
    }

    /// <summary>A probe device publishes until a batch is acknowledged: the acker (or FleetControl) is subscribed.</summary>
    public async Task WaitForAckerAsync(IReadOnlyList<Process> instances, TimeSpan timeout)
    {
        var probe = await ConnectOneAsync("probe-0");
        var deadline = Stopwatch.StartNew();
        while (Interlocked.Read(ref _acked) == 0)
        {
            if (deadline.Elapsed > timeout || instances.Any(p => p.HasExited))
            {
                throw new TimeoutException("no DeliveryAck for the probe device: the acker or FleetControl is not ingesting");
            }

            await PublishBatchAsync(probe, "probe-0", 0);
            await Task.Delay(1000);
        }

        // Three instances subscribe independently: give the last ones a moment after the first answered.
        await Task.Delay(instances.Count > 1 ? 3000 : 0);
        await probe.DisconnectAsync();
        probe.Dispose();
        Interlocked.Exchange(ref _acked, 0);
        Interlocked.Exchange(ref _published, 0);
        _pending.Clear();
    }

    public async Task ConnectAsync(int devices)
    {
        using var gate = new SemaphoreSlim(32);
        var tasks = Enumerable.Range(0, devices).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                return await ConnectOneAsync($"sim-{i:D5}");
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        _clients.AddRange(await Task.WhenAll(tasks));
    }

    public void Start()
    {
        var n = _clients.Count;
        for (var i = 0; i < n; i++)
        {
            var client = _clients[i];
            var offset = interval * i / n;
            _loops.Add(Task.Run(() => LoopAsync(client, client.Options.ClientId, offset, _stop.Token)));
        }
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_loops).WaitAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        foreach (var client in _clients)
        {
            client.Dispose();
        }

        _stop.Dispose();
    }

    private async Task LoopAsync(IMqttClient client, string deviceId, TimeSpan offset, CancellationToken stop)
    {
        try
        {
            await Task.Delay(offset, stop);
            using var timer = new PeriodicTimer(interval);
            ulong sequence = 0;
            do
            {
                sequence += (ulong)batchSize;
                await PublishBatchAsync(client, deviceId, sequence);
            }
            while (await timer.WaitForNextTickAsync(stop));
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped.
        }
    }

    private async Task PublishBatchAsync(IMqttClient client, string deviceId, ulong sequence)
    {
        var now = TimeProvider.System.GetUtcNow();
        var batch = new EnvelopeBatch();
        for (var k = 0; k < batchSize; k++)
        {
            batch.Envelopes.Add(new Envelope
            {
                MessageId = Guid.CreateVersion7().ToString(),
                DeviceId = deviceId,
                Stream = "gnss",
                Sequence = sequence + (ulong)k,
                CapturedAt = Timestamp.FromDateTimeOffset(now),
                TimeSource = TimeSource.Gnss,
                Priority = PriorityClass.Telemetry,
                Position = new Position
                {
                    FixTime = Timestamp.FromDateTimeOffset(now.AddMilliseconds(-200 * (batchSize - k))),
                    Latitude = 51.5 + (k * 0.0001),
                    Longitude = -0.12,
                    SpeedMps = 12.5,
                    TrackDeg = 90,
                    Mode = FixMode._3D,
                    SatellitesUsed = 9,
                },
            });
        }

        _pending[batch.Envelopes[0].MessageId] = Stopwatch.GetTimestamp();
        var result = await client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(Topics.ForEnvelope(deviceId, PriorityClass.Telemetry, "gnss"))
            .WithPayload(batch.ToByteArray())
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
        if (result.IsSuccess)
        {
            Interlocked.Add(ref _published, batchSize);
        }
    }

    private async Task<IMqttClient> ConnectOneAsync(string deviceId)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            var ack = DeliveryAck.Parser.ParseFrom(e.ApplicationMessage.Payload);
            if (ack.MessageIds.Count > 0 && _pending.TryRemove(ack.MessageIds[0], out var sent))
            {
                Interlocked.Add(ref _acked, ack.MessageIds.Count);
                if (MeasureLatency)
                {
                    _latencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                }
            }

            return Task.CompletedTask;
        };
        await client.ConnectAsync(new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithClientId(deviceId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(true)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(120))
            .WithTimeout(TimeSpan.FromSeconds(60))
            .Build());
        await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic(Topics.Acks(deviceId)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
            .Build());
        return client;
    }
}
