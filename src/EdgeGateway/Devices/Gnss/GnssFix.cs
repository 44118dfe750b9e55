using EdgeGateway.Contracts.V1;

namespace EdgeGateway.Devices.Gnss;

/// <summary>
/// One reporting cycle of the receiver merged into a fix, in the spirit of gpsd's TPV. Position is
/// meaningful only when <see cref="Mode"/> is 2D or 3D; optional values are null when no sentence of
/// the cycle carried them.
/// </summary>
internal readonly record struct GnssFix
{
    /// <summary>UTC time of the fix; null until a sentence has supplied the date (RMC or ZDA).</summary>
    public DateTimeOffset? Time { get; init; }

    public FixMode Mode { get; init; }

    public double? Latitude { get; init; }

    public double? Longitude { get; init; }

    /// <summary>Altitude above mean sea level, metres.</summary>
    public double? AltitudeMsl { get; init; }

    /// <summary>Speed over ground, metres per second.</summary>
    public double? SpeedMps { get; init; }

    /// <summary>True if <see cref="SpeedMps"/> was computed from the previous fix rather than reported.</summary>
    public bool SpeedDerived { get; init; }

    /// <summary>Course over ground, degrees true.</summary>
    public double? TrackDegrees { get; init; }

    public int SatellitesUsed { get; init; }

    /// <summary>Satellites in view summed over the cycle's GSV sets (all constellations); null without GSV.</summary>
    public int? SatellitesVisible { get; init; }

    public double? Hdop { get; init; }

    public double? Vdop { get; init; }

    public double? Pdop { get; init; }

    /// <summary>True when the mode is 2D/3D and a position is present.</summary>
    public bool HasPosition => Mode is FixMode._2D or FixMode._3D && Latitude is not null && Longitude is not null;
}
