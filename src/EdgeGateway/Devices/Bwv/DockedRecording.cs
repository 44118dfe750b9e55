namespace EdgeGateway.Devices.Bwv;

/// <summary>A finished recording on a docked camera.</summary>
/// <param name="Bay">Bay number (1-based).</param>
/// <param name="BayDirectory">The bay's directory (the camera's volume).</param>
/// <param name="Camera">The camera's marker.</param>
/// <param name="VideoPath">Full path of the recording (video, audio or still image).</param>
/// <param name="Size">Size in bytes when scanned.</param>
/// <param name="ModifiedUtc">The file's modification time when scanned.</param>
/// <param name="Fingerprint">SHA-256 (hex) of the recording's first and last <see cref="RecordingFingerprint.WindowBytes"/>: part of its identity.</param>
/// <param name="SidecarPath">Full path of its sidecar, or null when there is none.</param>
/// <param name="SidecarStatus">Whether the sidecar could be used.</param>
/// <param name="Sidecar">Parsed sidecar, when <paramref name="SidecarStatus"/> is <see cref="Bwv.SidecarStatus.Ok"/>.</param>
/// <param name="SidecarJson">The sidecar text, verbatim, when it could be read.</param>
/// <param name="SidecarProblem">Why the sidecar is missing or invalid.</param>
internal sealed record DockedRecording(
    int Bay,
    string BayDirectory,
    CameraMarker Camera,
    string VideoPath,
    long Size,
    DateTimeOffset ModifiedUtc,
    string Fingerprint,
    string? SidecarPath,
    SidecarStatus SidecarStatus,
    RecordingSidecar? Sidecar,
    string? SidecarJson,
    string? SidecarProblem)
{
    /// <summary>The recording's path on the camera's volume, '/'-separated (<c>VID0001.mp4</c>, <c>DCIM/100MEDIA/VID0001.MP4</c>): part of its identity.</summary>
    public string FileName => Path.GetRelativePath(BayDirectory, VideoPath).Replace('\\', '/');

    public string MarkerPath => Path.Combine(BayDirectory, CameraMarker.FileName);

    /// <summary>When the recording was made: the sidecar's start, or the file's modification time without a usable sidecar.</summary>
    public DateTimeOffset RecordedAt => Sidecar?.StartUtc ?? ModifiedUtc;
}
