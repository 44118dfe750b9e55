namespace EdgeGateway.Simulators.Gps;

/// <summary>How the simulated car is driven. Defaults: a 30 mph urban patrol.</summary>
internal sealed record RouteDriving
{
    /// <summary>Cruising speed on straight road; 13.4 m/s is 30 mph.</summary>
    public double CruiseSpeedMetresPerSecond { get; init; } = 13.4;

    /// <summary>Gentle acceleration (m/s²).</summary>
    public double AccelerationMetresPerSecondSquared { get; init; } = 1.5;

    /// <summary>Comfortable braking (m/s²) used when planning for a corner.</summary>
    public double BrakingMetresPerSecondSquared { get; init; } = 2.5;

    /// <summary>Sideways acceleration accepted in a corner (m/s²); sets the corner speed.</summary>
    public double LateralAccelerationMetresPerSecondSquared { get; init; } = 2.5;

    /// <summary>No corner is taken slower than this (m/s).</summary>
    public double MinimumCornerSpeedMetresPerSecond { get; init; } = 3.0;
}
