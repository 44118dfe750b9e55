namespace EdgeGateway.Simulators.Dock;

/// <summary>A body-worn camera: serial, battery, officer and the recordings it carries.</summary>
internal sealed record SimulatedCamera(string Serial, int BatteryPercent, string OfficerId, IReadOnlyList<SimulatedRecording> Recordings)
{
    /// <summary>
    /// Hidden files the camera (or a desktop it was plugged into) leaves on its volume, e.g. <c>.DS_Store</c>:
    /// not recordings, so the dock reports them per bay and leaves them where they are.
    /// </summary>
    public IReadOnlyList<string> HiddenFiles { get; init; } = [];
}
