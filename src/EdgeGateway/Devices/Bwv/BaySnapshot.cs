namespace EdgeGateway.Devices.Bwv;

/// <summary>What one bay held at a scan.</summary>
internal sealed record BaySnapshot(int Bay, CameraMarker? Camera, IReadOnlyList<DockedRecording> Recordings)
{
    public bool Docked => Camera is not null;
}
