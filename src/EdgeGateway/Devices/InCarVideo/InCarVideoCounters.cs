using System.Collections.Concurrent;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;

namespace EdgeGateway.Devices.InCarVideo;

/// <summary>Trigger counts per source and input faults, for the periodic health report (<c>video.*</c>).</summary>
internal sealed class InCarVideoCounters : IHealthContributor
{
    private readonly ConcurrentDictionary<string, long> _triggers = new(StringComparer.Ordinal);
    private long _refused;
    private long _edges;
    private long _bounces;
    private long _sensorFaults;
    private long _accelerometerSamples;
    private long _slowSamples;
    private long _fifoBatches;
    private long _fifoOverflows;

    /// <summary>Raw edges seen on discrete inputs (before debouncing).</summary>
    public long Edges => Interlocked.Read(ref _edges);

    /// <summary>Edges that did not survive the debounce time.</summary>
    public long Bounces => Interlocked.Read(ref _bounces);

    /// <summary>Failed sensor reads (I2C errors).</summary>
    public long SensorFaults => Interlocked.Read(ref _sensorFaults);

    /// <summary>Accelerometer readings taken.</summary>
    public long AccelerometerSamples => Interlocked.Read(ref _accelerometerSamples);

    /// <summary>Speed / supply sampling rounds done.</summary>
    public long SlowSamples => Interlocked.Read(ref _slowSamples);

    /// <summary>Triggers written, by source.</summary>
    public long TriggersOf(string source) => _triggers.TryGetValue(source, out var n) ? n : 0;

    public void Triggered(string source, bool accepted)
    {
        if (accepted)
        {
            _triggers.AddOrUpdate(source, 1, static (_, n) => n + 1);
        }
        else
        {
            Interlocked.Increment(ref _refused);
        }
    }

    public void Edge() => Interlocked.Increment(ref _edges);

    public void Bounce() => Interlocked.Increment(ref _bounces);

    public void SensorFault() => Interlocked.Increment(ref _sensorFaults);

    public void AccelerometerSampled() => Interlocked.Increment(ref _accelerometerSamples);

    /// <summary>FIFO drains of the accelerometer (one wake-up each).</summary>
    public long FifoBatches => Interlocked.Read(ref _fifoBatches);

    /// <summary>Times the accelerometer's FIFO was found full (samples lost, counted, FIFO reset).</summary>
    public long FifoOverflows => Interlocked.Read(ref _fifoOverflows);

    public void FifoDrained(int samples)
    {
        Interlocked.Add(ref _accelerometerSamples, samples);
        Interlocked.Increment(ref _fifoBatches);
    }

    public void FifoOverflowed() => Interlocked.Increment(ref _fifoOverflows);

    public void SlowSampled() => Interlocked.Increment(ref _slowSamples);

    public void Contribute(HealthReport report)
    {
        var c = report.Counters;
        foreach (var (source, n) in _triggers)
        {
            c[$"video.triggers.{source}"] = (ulong)n;
        }

        c["video.triggers_refused"] = (ulong)Interlocked.Read(ref _refused);
        c["video.input_edges"] = (ulong)Edges;
        c["video.input_bounces"] = (ulong)Bounces;
        c["video.sensor_faults"] = (ulong)SensorFaults;
        c["video.accelerometer_fifo_overflows"] = (ulong)FifoOverflows;
    }
}
