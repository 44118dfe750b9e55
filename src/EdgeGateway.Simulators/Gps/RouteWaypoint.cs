namespace EdgeGateway.Simulators.Gps;

/// <summary>A point of a driven route: WGS-84 degrees and ground height above mean sea level.</summary>
internal readonly record struct RouteWaypoint(double Latitude, double Longitude, double AltitudeMetres);
