using BenchmarkDotNet.Attributes;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Uplink;
using EdgeGateway.Uplink.Mqtt;

namespace EdgeGateway.Benchmarks.Uplink;

/// <summary>
/// Emergency latency while a large telemetry backlog drains through the durable outbox: each
/// invocation enqueues one Emergency (a durable LiteDB write) and waits until the FleetControl
/// stand-in receives it. The backlog is topped up between iterations so it never runs dry. Run:
/// <c>dotnet run -c Release --project benchmarks/EdgeGateway.Benchmarks -- --filter '*UplinkEmergency*'</c>
/// </summary>
[Config(typeof(Config))]
public class UplinkEmergencyLatencyBenchmarks
{
    private const string DeviceId = "bench-emergency";
    private readonly List<double> _enqueueMs = [];
    private readonly List<double> _publishMs = [];
    private UplinkBenchRig _rig = null!;
    private UplinkBenchRig.DurableOutbox _outbox = null!;
    private MqttUplinkService _uplink = null!;
    private UplinkCounters _counters = null!;
    private long _enqueued;
    private long _backlogAtStart;
    private Envelope _next = null!;

    [Params(100_000)]
    public int Backlog { get; set; }

    [GlobalSetup]
    public void GlobalSetup()
    {
        _rig = UplinkBenchRig.StartAsync().GetAwaiter().GetResult();
        _outbox = UplinkBenchRig.CreateOutbox(DeviceId);
        TopUp(Backlog);
        (_uplink, _counters) = _rig.CreateUplink(_outbox.Outbox, DeviceId);
        _uplink.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    [IterationSetup]
    public void IterationSetup()
    {
        if (_enqueued - _counters.Acknowledged < Backlog / 2)
        {
            TopUp(Backlog / 2);
        }

        // Let the drain run at full speed again after the top-up before measuring.
        var target = _counters.Acknowledged + 2_000;
        while (_counters.Acknowledged < target)
        {
            Task.Delay(1).GetAwaiter().GetResult();
        }

        _backlogAtStart = _enqueued - _counters.Acknowledged;
        _next = _rig.Envelopes(DeviceId, 1, PriorityClass.Emergency, "button")[0];
    }

    /// <summary>Durable enqueue of one Emergency until FleetControl's stand-in has it.</summary>
    [Benchmark]
    public async Task EmergencyEnqueueToReceived()
    {
        var arrived = _rig.Fleet.Expect(_next.MessageId);
        var start = TimeProvider.System.GetTimestamp();
        await _outbox.Outbox.EnqueueAsync(_next, CancellationToken.None);
        var enqueued = TimeProvider.System.GetTimestamp();
        var at = await arrived;
        _enqueueMs.Add(TimeProvider.System.GetElapsedTime(start, enqueued).TotalMilliseconds);
        _publishMs.Add(TimeProvider.System.GetElapsedTime(enqueued, at).TotalMilliseconds);
        _enqueued++;
        if (_backlogAtStart < 10_000)
        {
            throw new InvalidOperationException($"backlog ran low ({_backlogAtStart}); the measurement would not be under load");
        }
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        Console.WriteLine($"// emergency: durable enqueue p50 {Percentile(_enqueueMs, 50):F2} ms p99 {Percentile(_enqueueMs, 99):F2} ms; " +
                          $"enqueued -> received p50 {Percentile(_publishMs, 50):F2} ms p99 {Percentile(_publishMs, 99):F2} ms " +
                          $"({_publishMs.Count} samples, backlog >= {Backlog / 2:N0} telemetry messages draining)");
        _uplink.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
        _uplink.Dispose();
        _outbox.Dispose();
        _rig.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    private void TopUp(int count)
    {
        _outbox.Outbox.EnqueueManyAsync(_rig.Envelopes(DeviceId, count), CancellationToken.None).AsTask().GetAwaiter().GetResult();
        _enqueued += count;
    }

    private static double Percentile(List<double> values, int percentile)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToList();
        var index = (int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Count - 1)];
    }

    private sealed class Config() : UplinkBenchConfig(iterations: 40);
}
