namespace EdgeGateway.Simulators.Gps;

/// <summary>A point of a driven route: WGS-84 degrees and ground height above mean sea level.</summary>
/// <param name="Latitude">WGS-84 latitude, degrees.</param>
/// <param name="Longitude">WGS-84 longitude, degrees, east positive.</param>
/// <param name="AltitudeMetres">Ground height above mean sea level.</param>
/// <param name="StopSeconds">
/// Non-zero for a stop line (traffic lights, give-way at a roundabout): the car brakes to a halt here and
/// waits this long before pulling away.
/// </param>
internal readonly record struct RouteWaypoint(double Latitude, double Longitude, double AltitudeMetres, double StopSeconds = 0);
