namespace FleetControl.Api;

/// <summary>One generic DeviceEvent.</summary>
internal sealed record EventDto(string MessageId, string Stream, DateTimeOffset CapturedAt, string Type, string Detail, IReadOnlyDictionary<string, string> Attributes);
