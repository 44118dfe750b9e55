using EdgeGateway.Contracts.V1;

namespace FleetControl.Store;

/// <summary>One DataLossReport as received.</summary>
internal sealed record DataLossRecord(string MessageId, DateTimeOffset CapturedAt, DataLossReport Report);
