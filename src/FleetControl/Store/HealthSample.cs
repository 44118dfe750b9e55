using EdgeGateway.Contracts.V1;

namespace FleetControl.Store;

/// <summary>One health report of a device as received, with its capture time (the health history chart).</summary>
internal sealed record HealthSample(DateTimeOffset CapturedAt, HealthReport Report);
