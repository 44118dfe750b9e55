namespace EdgeGateway.Devices.Bwv;

/// <summary>A finished recording on a docked camera.</summary>
/// <param name="Bay">Bay number (1-based).</param>
/// <param name="BayDirectory">The bay's directory (the camera's volume).</param>
/// <param name="Camera">The camera's marker.</param>
/// <param name="VideoPath">Full path of the recording.</param>
/// <param name="SidecarPath">Full path of its sidecar.</param>
/// <param name="Size">Size in bytes when scanned.</param>
/// <param name="Sidecar">Parsed sidecar.</param>
/// <param name="SidecarJson">The sidecar text, verbatim.</param>
internal sealed record DockedRecording(
    int Bay,
    string BayDirectory,
    CameraMarker Camera,
    string VideoPath,
    string SidecarPath,
    long Size,
    RecordingSidecar Sidecar,
    string SidecarJson)
{
    public string FileName => Path.GetFileName(VideoPath);

    public string MarkerPath => Path.Combine(BayDirectory, CameraMarker.FileName);
}
