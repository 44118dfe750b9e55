namespace EdgeGateway.Time;

/// <summary>
/// Notices a step of the wall clock: between two readings, the wall clock moved by a different amount than
/// the monotonic clock (which steps never touch). A step larger than the tolerance is reported with its
/// size (positive: the clock jumped forward). Pure and driven by <see cref="Check"/>, so the caller
/// chooses the cadence.
/// </summary>
internal sealed class ClockStepDetector
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _tolerance;
    private DateTimeOffset _lastWall;
    private long _lastMonotonic;

    public ClockStepDetector(TimeProvider time, TimeSpan tolerance)
    {
        _time = time;
        _tolerance = tolerance;
        _lastWall = time.GetUtcNow();
        _lastMonotonic = time.GetTimestamp();
    }

    /// <summary>Compares the clocks since the last call; returns the step when it exceeds the tolerance.</summary>
    public bool Check(out TimeSpan step, out DateTimeOffset before, out DateTimeOffset after)
    {
        var wall = _time.GetUtcNow();
        var monotonic = _time.GetTimestamp();
        var expected = _lastWall + _time.GetElapsedTime(_lastMonotonic, monotonic);
        step = wall - expected;
        before = expected;
        after = wall;
        _lastWall = wall;
        _lastMonotonic = monotonic;
        return step.Duration() > _tolerance;
    }
}
