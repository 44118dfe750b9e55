namespace EdgeGateway.Devices.Bwv;

/// <summary>One point of a recording's GPS track.</summary>
internal sealed record GpsPoint(DateTimeOffset Time, double Lat, double Lon);
