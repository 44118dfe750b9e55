using EdgeGateway.Contracts.V1;

namespace FleetControl.Store;

/// <summary>One stored position (one envelope with a Position body).</summary>
internal sealed record PositionRecord(
    string MessageId,
    string DeviceId,
    ulong Sequence,
    DateTimeOffset Time,
    double Latitude,
    double Longitude,
    double? Altitude,
    double? Speed,
    double? Track,
    FixMode Mode);
