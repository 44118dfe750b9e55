using System.Device.Gpio;
using System.Device.I2c;

namespace EdgeGateway.Devices.InCarVideo;

/// <summary>The vehicle PC's own buses: the GPIO character device (libgpiod, else sysfs) and <c>/dev/i2c-N</c>.</summary>
internal sealed class LinuxVehicleHardware : IVehicleHardware
{
    public GpioController OpenGpio() => new();

    public I2cDevice OpenI2c(I2cDeviceOptions device) => I2cDevice.Create(new I2cConnectionSettings(device.Bus, device.Address));
}
