namespace EdgeGateway.Devices.Anpr;

/// <summary>A hotlist hit as the vehicle announces it locally (in-car terminal, video trigger).</summary>
/// <param name="ReadId">The read's id (its images are at <c>/anpr/reads/{ReadId}/plate.jpg</c> and <c>overview.jpg</c>).</param>
/// <param name="Vrm">The VRM as read.</param>
/// <param name="EntryVrm">The VRM on the list.</param>
/// <param name="List">The list it is on.</param>
/// <param name="Reason">Why it is on the list.</param>
/// <param name="Markers">Warning markers (e.g. firearms, violent).</param>
/// <param name="Match">"exact" or "fuzzy".</param>
/// <param name="CameraId">The camera that read it.</param>
/// <param name="CameraTime">When the camera read it.</param>
/// <param name="Latitude">Where, if known.</param>
/// <param name="Longitude">Where, if known.</param>
/// <param name="HotlistVersion">The hotlist version matched against.</param>
public sealed record AnprHitNotice(
    string ReadId,
    string Vrm,
    string EntryVrm,
    string List,
    string Reason,
    IReadOnlyList<string> Markers,
    string Match,
    string CameraId,
    DateTimeOffset CameraTime,
    double? Latitude,
    double? Longitude,
    long HotlistVersion);
