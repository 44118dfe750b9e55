namespace FleetControl.Anpr;

/// <summary>A search over stored reads: any combination of VRM, time window (camera time), device and area.</summary>
/// <param name="Vrm">Normalised before comparing; exact.</param>
/// <param name="From">Inclusive.</param>
/// <param name="To">Exclusive.</param>
/// <param name="DeviceId">One vehicle.</param>
/// <param name="Area">A bounding box (south, west, north, east) in degrees.</param>
/// <param name="Limit">Most reads returned, newest first.</param>
internal sealed record AnprReadQuery(string? Vrm, DateTimeOffset? From, DateTimeOffset? To, string? DeviceId, (double South, double West, double North, double East)? Area, int Limit)
{
    public const int MaxLimit = 100_000;
}
