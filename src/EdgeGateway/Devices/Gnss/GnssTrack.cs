namespace EdgeGateway.Devices.Gnss;

/// <summary>
/// The last few dozen fixes with a position, before thinning, so other adapters (ANPR) can place an event
/// that happened between two fixes: the position is interpolated linearly between the fixes either side of
/// the instant, or taken from the nearest fix when the instant is outside them.
/// </summary>
internal sealed class GnssTrack
{
    private const int Capacity = 64;

    private readonly Lock _lock = new();
    private readonly (long UnixMs, double Latitude, double Longitude)[] _fixes = new (long, double, double)[Capacity];
    private int _count;
    private int _next;

    /// <summary>Remembers a fix (ignored without a position or a time).</summary>
    public void Add(in GnssFix fix)
    {
        if (!fix.HasPosition || fix.Time is not { } time)
        {
            return;
        }

        lock (_lock)
        {
            _fixes[_next] = (time.ToUnixTimeMilliseconds(), fix.Latitude!.Value, fix.Longitude!.Value);
            _next = (_next + 1) % Capacity;
            _count = Math.Min(_count + 1, Capacity);
        }
    }

    /// <summary>
    /// The position at <paramref name="at"/>. <paramref name="ageMs"/> is how far the nearest fix used is from
    /// it. False when there is no fix within <paramref name="maxGap"/> of the instant.
    /// </summary>
    public bool TryPositionAt(DateTimeOffset at, TimeSpan maxGap, out double latitude, out double longitude, out uint ageMs)
    {
        latitude = longitude = 0;
        ageMs = 0;
        var t = at.ToUnixTimeMilliseconds();
        (long UnixMs, double Latitude, double Longitude)? before = null, after = null;
        lock (_lock)
        {
            for (var i = 0; i < _count; i++)
            {
                var fix = _fixes[i];
                if (fix.UnixMs <= t && (before is null || fix.UnixMs > before.Value.UnixMs))
                {
                    before = fix;
                }

                if (fix.UnixMs >= t && (after is null || fix.UnixMs < after.Value.UnixMs))
                {
                    after = fix;
                }
            }
        }

        var gap = (long)maxGap.TotalMilliseconds;
        if (before is { } b && after is { } a && t - b.UnixMs <= gap && a.UnixMs - t <= gap)
        {
            var span = a.UnixMs - b.UnixMs;
            var f = span == 0 ? 0 : (double)(t - b.UnixMs) / span;
            latitude = b.Latitude + ((a.Latitude - b.Latitude) * f);
            longitude = b.Longitude + ((a.Longitude - b.Longitude) * f);
            ageMs = (uint)Math.Min(t - b.UnixMs, a.UnixMs - t);
            return true;
        }

        var nearest = before is { } b2 && (after is null || t - b2.UnixMs <= after.Value.UnixMs - t) ? before : after;
        if (nearest is { } n && Math.Abs(n.UnixMs - t) <= gap)
        {
            latitude = n.Latitude;
            longitude = n.Longitude;
            ageMs = (uint)Math.Abs(n.UnixMs - t);
            return true;
        }

        return false;
    }
}
