namespace EdgeGateway.Uplink.Mqtt;

/// <summary>
/// Jittered exponential backoff between connect attempts: the ceiling doubles from the minimum to the
/// maximum, and each delay is drawn from the upper half of the ceiling so that a fleet of gateways
/// losing one broker does not reconnect in lock-step.
/// </summary>
internal sealed class ReconnectBackoff
{
    private readonly TimeSpan _min;
    private readonly TimeSpan _max;
    private readonly Random _random;

    public ReconnectBackoff(TimeSpan min, TimeSpan max, Random random)
    {
        _min = min;
        _max = max < min ? min : max;
        _random = random;
    }

    /// <summary>Failed attempts since the last success.</summary>
    public int Attempt { get; private set; }

    /// <summary>The delay before the next attempt; advances the schedule.</summary>
    public TimeSpan Next()
    {
        var ceiling = Ceiling(Attempt);
        Attempt++;
        var half = ceiling.Ticks / 2;
        return TimeSpan.FromTicks(half + (long)(_random.NextDouble() * (ceiling.Ticks - half)));
    }

    /// <summary>Called after a successful connect: the next outage starts from the minimum again.</summary>
    public void Reset() => Attempt = 0;

    /// <summary>The upper bound of the delay after <paramref name="attempt"/> failures.</summary>
    public TimeSpan Ceiling(int attempt)
    {
        var factor = Math.Pow(2, Math.Min(attempt, 30));
        var ticks = _min.Ticks * factor;
        return ticks >= _max.Ticks ? _max : TimeSpan.FromTicks((long)ticks);
    }
}
