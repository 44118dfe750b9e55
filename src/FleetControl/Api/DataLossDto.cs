namespace FleetControl.Api;

/// <summary>One DataLossReport a device sent.</summary>
internal sealed record DataLossDto(
    string MessageId,
    DateTimeOffset CapturedAt,
    string Priority,
    string Reason,
    ulong Count,
    string Stream,
    DateTimeOffset? FirstCapturedAt,
    DateTimeOffset? LastCapturedAt);
