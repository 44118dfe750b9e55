using Microsoft.Extensions.Logging;

namespace EdgeGateway.Time;

/// <summary>
/// The wall-clock steps this process has seen, in order. <see cref="Check"/> compares the clocks (from the
/// periodic <see cref="ClockStepMonitor"/> and before every custody append); custody logs read the steps they
/// have not recorded yet with <see cref="Since"/>. Thread-safe.
/// </summary>
internal sealed class ClockStepJournal
{
    private readonly TimeProvider _time;
    private readonly IClockStatus? _status;
    private readonly ILogger? _logger;
    private readonly ClockStepDetector _detector;
    private readonly List<ClockStep> _steps = [];
    private readonly Lock _gate = new();
    private long _lastTimestamp;

    public ClockStepJournal(TimeProvider time, TimeSpan tolerance, IClockStatus? status = null, ILogger? logger = null)
    {
        _time = time;
        _status = status;
        _logger = logger;
        Tolerance = tolerance;
        _detector = new ClockStepDetector(time, tolerance);
        _lastTimestamp = time.GetTimestamp();
    }

    /// <summary>The difference that counts as a step.</summary>
    public TimeSpan Tolerance { get; }

    /// <summary>Steps seen so far.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _steps.Count;
            }
        }
    }

    /// <summary>Monotonic seconds now (CLOCK_MONOTONIC for the system clock: since boot, never stepped).</summary>
    public double MonotonicSeconds() => MonotonicSeconds(_time.GetTimestamp());

    /// <summary>Compares the clocks; the step when there was one since the last check.</summary>
    public ClockStep? Check()
    {
        lock (_gate)
        {
            var from = _lastTimestamp;
            _lastTimestamp = _time.GetTimestamp();
            if (!_detector.Check(out _, out var before, out var after))
            {
                return null;
            }

            var step = new ClockStep(_steps.Count + 1, before, after, MonotonicSeconds(from), MonotonicSeconds(_lastTimestamp), _status?.IsSynchronised ?? false);
            _steps.Add(step);
            if (_logger is not null)
            {
                Log.ClockStepped(_logger, step.Size.TotalSeconds, before, after, step.Synchronised);
            }

            return step;
        }
    }

    /// <summary>The steps after the first <paramref name="count"/>.</summary>
    public IReadOnlyList<ClockStep> Since(int count)
    {
        lock (_gate)
        {
            return count >= _steps.Count ? [] : _steps.GetRange(count, _steps.Count - count);
        }
    }

    private double MonotonicSeconds(long timestamp) => (double)timestamp / _time.TimestampFrequency;
}
