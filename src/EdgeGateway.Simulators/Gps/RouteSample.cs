namespace EdgeGateway.Simulators.Gps;

/// <summary>Where the simulated car is and how it moves at one instant.</summary>
/// <param name="Latitude">WGS-84 degrees.</param>
/// <param name="Longitude">WGS-84 degrees, east positive.</param>
/// <param name="AltitudeMetres">Height above mean sea level.</param>
/// <param name="SpeedMetresPerSecond">Ground speed.</param>
/// <param name="CourseDegrees">Track over ground, true, 0..360.</param>
/// <param name="DistanceMetres">Distance driven since the start (all laps).</param>
/// <param name="Laps">Completed laps of the loop.</param>
internal readonly record struct RouteSample(
    double Latitude,
    double Longitude,
    double AltitudeMetres,
    double SpeedMetresPerSecond,
    double CourseDegrees,
    double DistanceMetres,
    int Laps);
