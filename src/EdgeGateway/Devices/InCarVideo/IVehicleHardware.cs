using System.Device.Gpio;
using System.Device.I2c;

namespace EdgeGateway.Devices.InCarVideo;

/// <summary>
/// Where the trigger harness's buses come from: the vehicle PC's GPIO and I2C, or the simulated harness.
/// Everything above this (the Iot.Device.Bindings drivers, debouncing, thresholds) is the same code.
/// </summary>
internal interface IVehicleHardware
{
    /// <summary>A controller over the SoC's GPIO lines.</summary>
    GpioController OpenGpio();

    /// <summary>The device at <paramref name="device"/>'s bus and address.</summary>
    I2cDevice OpenI2c(I2cDeviceOptions device);
}
