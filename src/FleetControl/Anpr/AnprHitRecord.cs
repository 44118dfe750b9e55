using EdgeGateway.Contracts.V1;

namespace FleetControl.Anpr;

/// <summary>A stored hotlist hit (its images are held as the read's images).</summary>
internal sealed record AnprHitRecord(string MessageId, string DeviceId, AnprHit Hit);
