namespace EdgeGateway.Devices.Gnss;

/// <summary>
/// Position deadbands (<c>Gnss:Thinning</c>): a fix is forwarded when the mode changed, when
/// <see cref="MaxInterval"/> passed (heartbeat), or when at least <see cref="MinInterval"/> passed and it
/// moved <see cref="MinDistanceMetres"/> or turned <see cref="MinHeadingChangeDegrees"/>.
/// </summary>
public sealed class GnssThinningOptions
{
    /// <summary>Never forward two fixes closer together than this (except on a mode change).</summary>
    public TimeSpan MinInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Heartbeat: forward at least this often, so a parked car still reports.</summary>
    public TimeSpan MaxInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Distance from the last forwarded fix that counts as movement.</summary>
    public double MinDistanceMetres { get; set; } = 10;

    /// <summary>Change of track from the last forwarded fix that counts as a turn.</summary>
    public double MinHeadingChangeDegrees { get; set; } = 15;

    /// <summary>Below this speed the track is noise and turns are ignored.</summary>
    public double HeadingMinSpeedMps { get; set; } = 1.0;
}
