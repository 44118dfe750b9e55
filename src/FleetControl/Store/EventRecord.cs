namespace FleetControl.Store;

/// <summary>One generic DeviceEvent as received.</summary>
internal sealed record EventRecord(
    string MessageId,
    string Stream,
    DateTimeOffset CapturedAt,
    string Type,
    string Detail,
    IReadOnlyDictionary<string, string> Attributes);
