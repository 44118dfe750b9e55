namespace EdgeGateway.Simulators.Gps;

/// <summary>Everything one receiver epoch reports; the input of <see cref="NmeaWriter"/>.</summary>
internal sealed record GpsFix
{
    /// <summary>UTC time of the fix.</summary>
    public required DateTimeOffset UtcTime { get; init; }

    /// <summary>WGS-84 latitude, degrees, north positive.</summary>
    public required double Latitude { get; init; }

    /// <summary>WGS-84 longitude, degrees, east positive.</summary>
    public required double Longitude { get; init; }

    /// <summary>Antenna height above mean sea level, metres.</summary>
    public required double AltitudeMetres { get; init; }

    /// <summary>Geoid height above the WGS-84 ellipsoid, metres (about 46 m in south-east England).</summary>
    public double GeoidSeparationMetres { get; init; } = 45.9;

    /// <summary>Ground speed, m/s.</summary>
    public required double SpeedMetresPerSecond { get; init; }

    /// <summary>Course over ground, degrees true.</summary>
    public required double CourseDegrees { get; init; }

    /// <summary>GGA fix quality: 0 invalid, 1 GPS, 2 DGPS.</summary>
    public int Quality { get; init; } = 1;

    /// <summary>PRNs used in the solution (GSA, at most 12 written).</summary>
    public required IReadOnlyList<int> SatellitesUsed { get; init; }

    /// <summary>Satellites in view (GSV).</summary>
    public required IReadOnlyList<SatelliteInView> SatellitesInView { get; init; }

    /// <summary>Horizontal dilution of precision.</summary>
    public required double Hdop { get; init; }

    /// <summary>Position dilution of precision.</summary>
    public required double Pdop { get; init; }

    /// <summary>Vertical dilution of precision.</summary>
    public required double Vdop { get; init; }

    /// <summary>Whether the fix is valid (RMC status A, GSA mode 3) or not (V, mode 1).</summary>
    public bool IsValid => Quality > 0;
}
