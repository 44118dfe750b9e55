using EdgeGateway.Contracts.V1;

namespace EdgeGateway.Devices.Gnss;

/// <summary>
/// Decides which fixes are worth forwarding so the uplink is not flooded at the receiver's rate (see
/// <see cref="GnssThinningOptions"/>). Times are the fixes' own GNSS times when present (so replayed
/// captures thin the same way as live data), else the local clock.
/// </summary>
internal sealed class PositionThinner
{
    private readonly GnssThinningOptions _options;
    private GnssFix? _last;
    private DateTimeOffset _lastAt;

    public PositionThinner(GnssThinningOptions options)
    {
        _options = options;
    }

    public bool ShouldForward(in GnssFix fix, DateTimeOffset localNow)
    {
        var at = fix.Time ?? localNow;
        if (_last is not { } last || fix.Mode != last.Mode || Forwards(fix, last, at - _lastAt))
        {
            _last = fix;
            _lastAt = at;
            return true;
        }

        return false;
    }

    private bool Forwards(in GnssFix fix, in GnssFix last, TimeSpan elapsed)
    {
        if (elapsed < TimeSpan.Zero || elapsed >= _options.MaxInterval)
        {
            return true; // heartbeat, or the clock jumped back (receiver reset): resynchronise
        }

        if (elapsed < _options.MinInterval || !fix.HasPosition || !last.HasPosition)
        {
            return false;
        }

        var moved = GeoMath.DistanceMetres(last.Latitude!.Value, last.Longitude!.Value, fix.Latitude!.Value, fix.Longitude!.Value);
        if (moved >= _options.MinDistanceMetres)
        {
            return true;
        }

        return fix.SpeedMps >= _options.HeadingMinSpeedMps
            && fix.TrackDegrees is { } track && last.TrackDegrees is { } lastTrack
            && GeoMath.HeadingDifference(track, lastTrack) >= _options.MinHeadingChangeDegrees;
    }
}
