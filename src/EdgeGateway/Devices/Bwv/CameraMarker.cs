namespace EdgeGateway.Devices.Bwv;

/// <summary>
/// The <c>camera.json</c> a docked camera presents in its bay; its presence means docked, its
/// disappearance undocked.
/// </summary>
/// <param name="Serial">Camera serial number.</param>
/// <param name="BatteryPercent">Battery charge, 0-100.</param>
internal sealed record CameraMarker(string Serial, int BatteryPercent)
{
    /// <summary>The marker's file name inside a bay directory.</summary>
    public const string FileName = "camera.json";
}
