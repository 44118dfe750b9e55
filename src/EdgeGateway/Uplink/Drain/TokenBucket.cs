namespace EdgeGateway.Uplink.Drain;

/// <summary>
/// Drain pacing: tokens (envelopes) refill at a fixed rate up to a burst capacity. Urgent publishes
/// may <see cref="Take"/> into debt so they are never held back; the debt then slows the backlog.
/// Not thread-safe: the uplink's drain loop is its only user.
/// </summary>
internal sealed class TokenBucket
{
    private readonly double _ratePerSecond;
    private readonly double _capacity;
    private readonly TimeProvider _time;
    private double _tokens;
    private long _stamp;

    public TokenBucket(double ratePerSecond, double capacity, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ratePerSecond);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _ratePerSecond = ratePerSecond;
        _capacity = capacity;
        _time = time;
        _tokens = capacity;
        _stamp = time.GetTimestamp();
    }

    /// <summary>Whole tokens available now (0 when in debt).</summary>
    public int Available
    {
        get
        {
            Refill();
            return _tokens <= 0 ? 0 : (int)Math.Min(int.MaxValue, Math.Floor(_tokens));
        }
    }

    /// <summary>Takes <paramref name="count"/> tokens if that many are available.</summary>
    public bool TryTake(int count)
    {
        Refill();
        if (_tokens < count)
        {
            return false;
        }

        _tokens -= count;
        return true;
    }

    /// <summary>Takes <paramref name="count"/> tokens even if that leaves the bucket in debt.</summary>
    public void Take(int count)
    {
        Refill();
        _tokens -= count;
    }

    /// <summary>How long until <paramref name="count"/> tokens (at most the capacity) are available.</summary>
    public TimeSpan TimeUntilAvailable(int count)
    {
        Refill();
        var missing = Math.Min(count, _capacity) - _tokens;
        return missing <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(missing / _ratePerSecond);
    }

    private void Refill()
    {
        var now = _time.GetTimestamp();
        var elapsed = _time.GetElapsedTime(_stamp, now);
        _stamp = now;
        if (elapsed > TimeSpan.Zero)
        {
            _tokens = Math.Min(_capacity, _tokens + (elapsed.TotalSeconds * _ratePerSecond));
        }
    }
}
