namespace EdgeGateway.Simulators.Dock;

/// <summary>A body-worn camera: serial, battery, officer and the recordings it carries.</summary>
internal sealed record SimulatedCamera(string Serial, int BatteryPercent, string OfficerId, IReadOnlyList<SimulatedRecording> Recordings);
