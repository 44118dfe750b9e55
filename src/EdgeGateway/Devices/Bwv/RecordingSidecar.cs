namespace EdgeGateway.Devices.Bwv;

/// <summary>The JSON sidecar a camera writes next to each recording (<c>NAME.json</c> for <c>NAME.mp4</c>).</summary>
internal sealed record RecordingSidecar(
    string CameraSerial,
    string OfficerId,
    DateTimeOffset StartUtc,
    DateTimeOffset EndUtc,
    string Trigger,
    string? Category,
    IReadOnlyList<GpsPoint>? Gps);
