namespace FleetControl.Api;

/// <summary>A device's newest position, as shown in the device list.</summary>
internal sealed record LastPositionDto(DateTimeOffset Time, double Lat, double Lon, double? Alt, double? Speed, double? Track, string Mode);
