namespace FleetControl.Anpr;

/// <summary>One stored read as the API and the exports show it (a capture record).</summary>
internal sealed record AnprReadRecord(
    string ReadId,
    string DeviceId,
    string Vrm,
    string NormalisedVrm,
    double Confidence,
    string Country,
    string CameraId,
    string Lane,
    DateTimeOffset CameraTime,
    DateTimeOffset ReceivedAt,
    string ReceivedTimeSource,
    double? Latitude,
    double? Longitude,
    uint? PositionAgeMs,
    IReadOnlyList<AnprImageRecord> Images,
    string MessageId);
