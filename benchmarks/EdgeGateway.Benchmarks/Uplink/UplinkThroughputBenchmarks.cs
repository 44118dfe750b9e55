using BenchmarkDotNet.Attributes;
using EdgeGateway.Contracts;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Outbox.InMemory;
using EdgeGateway.Uplink;
using EdgeGateway.Uplink.Mqtt;
using Google.Protobuf;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace EdgeGateway.Benchmarks.Uplink;

/// <summary>
/// Durable end-to-end drain (LiteDB outbox -> uplink -> broker -> ack stand-in -> ack deletes from the
/// outbox) against a raw MQTTnet QoS 1 publish loop of the same envelopes to the same broker.
/// Throughput ratio = 1 / the Ratio column. Run:
/// <c>dotnet run -c Release --project benchmarks/EdgeGateway.Benchmarks -- --filter '*UplinkThroughput*'</c>
/// </summary>
[Config(typeof(Config))]
public class UplinkThroughputBenchmarks
{
    private UplinkBenchRig _rig = null!;
    private IMqttClient _raw = null!;
    private MqttApplicationMessage[] _rawMessages = [];
    private UplinkBenchRig.DurableOutbox? _outbox;
    private MqttUplinkService? _uplink;
    private UplinkCounters? _counters;
    private InMemoryOutbox? _memory;

    [Params(20_000)]
    public int Messages { get; set; }

    [GlobalSetup]
    public void GlobalSetup()
    {
        _rig = UplinkBenchRig.StartAsync().GetAwaiter().GetResult();
        _raw = new MqttClientFactory().CreateMqttClient();
        _raw.ConnectAsync(new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", _rig.Port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId("bench-raw")
            .Build()).GetAwaiter().GetResult();
        var topic = Topics.ForEnvelope("bench-raw", PriorityClass.Telemetry, "gnss");
        _rawMessages = _rig.Envelopes("bench-raw", Messages)
            .Select(e => new MqttApplicationMessageBuilder()
                .WithTopic(topic)
                .WithPayload(new EnvelopeBatch { Envelopes = { e } }.ToByteArray())
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build())
            .ToArray();
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        _raw.DisconnectAsync(new MqttClientDisconnectOptions()).GetAwaiter().GetResult();
        _raw.Dispose();
        _rig.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>One awaited QoS 1 publish per envelope: what a naive uplink without acks would do.</summary>
    [Benchmark(Baseline = true)]
    public async Task RawQos1PublishLoop()
    {
        foreach (var message in _rawMessages)
        {
            await _raw.PublishAsync(message);
        }
    }

    /// <summary>Raw QoS 1 publishes with 32 in flight (MQTTnet pipelining, still one envelope per publish).</summary>
    [Benchmark]
    public async Task RawQos1Pipelined32()
    {
        using var slots = new SemaphoreSlim(32);
        var pending = new List<Task>(_rawMessages.Length);
        foreach (var message in _rawMessages)
        {
            await slots.WaitAsync();
            pending.Add(PublishAsync(message, slots));
        }

        await Task.WhenAll(pending);
    }

    [IterationSetup(Target = nameof(UplinkDurableDrain))]
    public void FillOutbox()
    {
        var deviceId = "bench-" + Guid.NewGuid().ToString("N")[..8];
        _outbox = UplinkBenchRig.CreateOutbox(deviceId);
        var results = _outbox.Outbox.EnqueueManyAsync(_rig.Envelopes(deviceId, Messages), CancellationToken.None).AsTask().GetAwaiter().GetResult();
        if (results.Any(r => r != Core.EnqueueResult.Accepted))
        {
            throw new InvalidOperationException("The outbox refused part of the backlog: " + string.Join(",", results.Distinct()));
        }

        (_uplink, _counters) = _rig.CreateUplink(_outbox.Outbox, deviceId);
    }

    /// <summary>Drains <see cref="Messages"/> from the durable outbox until every one is acknowledged and deleted.</summary>
    [Benchmark]
    public async Task UplinkDurableDrain()
    {
        await _uplink!.StartAsync(CancellationToken.None);
        while (_counters!.Acknowledged < Messages)
        {
            await Task.Delay(1);
        }
    }

    [IterationCleanup(Target = nameof(UplinkDurableDrain))]
    public void StopUplink()
    {
        _uplink!.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
        _uplink.Dispose();
        var left = _outbox!.Outbox.GetStatistics().Classes.Sum(c => c.Depth);
        _outbox.Dispose();
        if (left != 0)
        {
            throw new InvalidOperationException($"{left} message(s) left in the outbox after the drain");
        }
    }

    [IterationSetup(Target = nameof(UplinkInMemoryDrain))]
    public void FillMemoryOutbox()
    {
        var deviceId = "bench-" + Guid.NewGuid().ToString("N")[..8];
        _memory = new InMemoryOutbox(levelTriggered: true);
        foreach (var envelope in _rig.Envelopes(deviceId, Messages))
        {
            _memory.EnqueueAsync(envelope, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }

        (_uplink, _counters) = _rig.CreateUplink(_memory, deviceId);
    }

    /// <summary>The same drain from a non-durable outbox: the uplink's own ceiling, without the store's cost.</summary>
    [Benchmark]
    public async Task UplinkInMemoryDrain()
    {
        await _uplink!.StartAsync(CancellationToken.None);
        while (_counters!.Acknowledged < Messages)
        {
            await Task.Delay(1);
        }
    }

    [IterationCleanup(Target = nameof(UplinkInMemoryDrain))]
    public void StopMemoryUplink()
    {
        _uplink!.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
        _uplink.Dispose();
        if (_memory!.Count != 0)
        {
            throw new InvalidOperationException($"{_memory.Count} message(s) left in the outbox after the drain");
        }
    }

    private async Task PublishAsync(MqttApplicationMessage message, SemaphoreSlim slots)
    {
        try
        {
            await _raw.PublishAsync(message);
        }
        finally
        {
            slots.Release();
        }
    }

    private sealed class Config() : UplinkBenchConfig(iterations: 5);
}
