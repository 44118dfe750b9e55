namespace FleetControl.Commands;

/// <summary>
/// A device's configuration as desired (set in FleetControl) and as reported (what the device runs).
/// Versions start at 1; 0 means none.
/// </summary>
/// <param name="DeviceId">The device.</param>
/// <param name="DesiredVersion">The newest version set in FleetControl (0: none).</param>
/// <param name="DesiredJson">That version's configuration JSON.</param>
/// <param name="ReportedVersion">The version the device last reported running.</param>
/// <param name="Status">"pending", "applied" or "rejected: reason".</param>
/// <param name="CommandId">The apply-configuration command carrying the desired version.</param>
internal sealed record DeviceConfiguration(string DeviceId, long DesiredVersion, string DesiredJson, long ReportedVersion, string Status, string CommandId);
