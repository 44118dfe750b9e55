namespace FleetControl.Api;

/// <summary>One position in GET /api/devices/{id}/positions.</summary>
internal sealed record PositionDto(
    string MessageId,
    ulong Sequence,
    DateTimeOffset Time,
    double Lat,
    double Lon,
    double? Alt,
    double? Speed,
    double? Track,
    string Mode);
