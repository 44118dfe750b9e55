namespace EdgeGateway.Tests.Time;

/// <summary>A fake clock whose wall time can be set without the monotonic clock moving (a clock step).</summary>
internal sealed class SteppableTime(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _wall = start;
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow() => _wall;

    public override long GetTimestamp() => _ticks;

    /// <summary>Both clocks move on together.</summary>
    public void Advance(TimeSpan by)
    {
        _wall += by;
        _ticks += by.Ticks;
    }

    /// <summary>Only the wall clock jumps (NTP/GNSS correction, RTC reset).</summary>
    public void Step(TimeSpan by) => _wall += by;
}
