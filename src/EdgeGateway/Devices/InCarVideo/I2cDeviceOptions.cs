using System.ComponentModel.DataAnnotations;

namespace EdgeGateway.Devices.InCarVideo;

/// <summary>Where an I2C device sits: bus number (<c>/dev/i2c-N</c>) and 7-bit address.</summary>
public sealed class I2cDeviceOptions
{
    /// <summary>The I2C bus number.</summary>
    [Range(0, 255)]
    public int Bus { get; set; } = 1;

    /// <summary>The device's 7-bit address.</summary>
    [Range(0x03, 0x77)]
    public int Address { get; set; }
}
