namespace EdgeGateway.Devices.Gnss;

/// <summary>A position from a fix, in decimal degrees (WGS 84).</summary>
/// <param name="Latitude">Degrees north (negative south).</param>
/// <param name="Longitude">Degrees east (negative west).</param>
internal sealed record GnssPosition(double Latitude, double Longitude);
