namespace EdgeGateway.Simulators.Gps;

/// <summary>A closed loop of road waypoints; the last waypoint joins back to the first.</summary>
internal sealed record GpsRoute(string Name, string Description, IReadOnlyList<RouteWaypoint> Waypoints);
