using System.ComponentModel.DataAnnotations;

namespace EdgeGateway.Devices.InCarVideo;

/// <summary>The supply voltage monitor (an INA219 on I2C).</summary>
public sealed class SupplyMonitorOptions
{
    /// <summary>Whether one is fitted.</summary>
    public bool Enabled { get; set; }

    /// <summary>Its bus and address (INA219: 0x40).</summary>
    public I2cDeviceOptions Device { get; set; } = new() { Address = 0x40 };

    /// <summary>Below this the battery is low: a <c>supply</c> trigger goes on (recording must be finished and flushed).</summary>
    [Range(0.0, 32.0, ErrorMessage = "InCarVideo:Supply:LowVolts must be between 0 and 32 V.")]
    public double LowVolts { get; set; } = 11.5;

    /// <summary>The supply must rise this far above <see cref="LowVolts"/> before the low state clears.</summary>
    [Range(0.0, 5.0, ErrorMessage = "InCarVideo:Supply:HysteresisVolts must be between 0 and 5 V.")]
    public double HysteresisVolts { get; set; } = 0.3;
}
