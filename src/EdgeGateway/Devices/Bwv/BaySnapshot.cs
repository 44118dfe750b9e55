namespace EdgeGateway.Devices.Bwv;

/// <summary>What one bay held at a scan: the camera, the recordings it will offload, and every other file it will not.</summary>
internal sealed record BaySnapshot(int Bay, CameraMarker? Camera, IReadOnlyList<DockedRecording> Recordings, IReadOnlyList<NotAcceptedFile> Unaccepted)
{
    public bool Docked => Camera is not null;

    /// <summary>Recordings still being written (size or time changed within <see cref="DockOptions.SettleTime"/>): taken once they settle.</summary>
    public IReadOnlyList<string> Settling { get; init; } = [];
}
