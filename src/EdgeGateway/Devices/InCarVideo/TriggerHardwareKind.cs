namespace EdgeGateway.Devices.InCarVideo;

/// <summary>Which hardware the trigger inputs are read from.</summary>
public enum TriggerHardwareKind
{
    /// <summary>The vehicle PC's GPIO character device and I2C buses.</summary>
    Linux,

    /// <summary>In-process emulated GPIO driver and I2C registers (tests, <c>./run.sh</c>); the real bindings run against them.</summary>
    Simulated,
}
