namespace EdgeGateway.Devices.Anpr;

/// <summary>What a camera says about one read (the JSON metadata part of its POST).</summary>
/// <param name="Vrm">The plate as read.</param>
/// <param name="NormalisedVrm">Upper case, spaces and hyphens removed.</param>
/// <param name="Confidence">0..1.</param>
/// <param name="Country">Country code the camera assigned (e.g. GB).</param>
/// <param name="CameraId">The camera's own id.</param>
/// <param name="CameraTime">The camera's timestamp of the read.</param>
/// <param name="Lane">Lane or direction.</param>
internal sealed record CameraRead(string Vrm, string NormalisedVrm, float Confidence, string Country, string CameraId, DateTimeOffset CameraTime, string Lane);
