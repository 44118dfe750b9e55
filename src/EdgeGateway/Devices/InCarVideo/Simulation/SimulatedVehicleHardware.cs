using System.Device.Gpio;
using System.Device.I2c;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Devices.InCarVideo.Simulation;

/// <summary>
/// The simulated trigger harness of one vehicle, no kernel drivers: a <see cref="SimulatedGpioDriver"/> for the
/// SoC's lines and emulated MCP23017, MPU6050 and INA219 register maps on the configured buses and addresses.
/// The real Iot.Device.Bindings drivers run against them unchanged. Tests and the scenario player work it by
/// source name, as a technician with a 12 V lead would.
/// </summary>
internal sealed class SimulatedVehicleHardware : IVehicleHardware
{
    private readonly InCarVideoOptions _options;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(int Bus, int Address), SimulatedI2cDevice> _devices = new();

    public SimulatedVehicleHardware(IOptions<InCarVideoOptions> options)
    {
        _options = options.Value;
        Expander = Add(new SimulatedMcp23017(_options.Expander.Bus, _options.Expander.Address));
        Accelerometer = Add(new SimulatedMpu6050(_options.Accelerometer.Device.Bus, _options.Accelerometer.Device.Address));
        Supply = Add(new SimulatedIna219(_options.Supply.Device.Bus, _options.Supply.Device.Address));
        foreach (var input in _options.Inputs)
        {
            SetInput(input.Source, false); // every input starts inactive, whatever its polarity
        }

        // The scenario's "0s <input> on|off" steps: the harness as wired when the gateway starts (read at start-up).
        if (_options.ScenarioFile is { Length: > 0 } file && File.Exists(file))
        {
            var (steps, _) = VehicleScenario.Parse(File.ReadAllLines(file), _options.Inputs.Select(i => i.Source).ToArray());
            foreach (var step in steps.Where(VehicleScenario.IsInitialState))
            {
                SetInput(step.Target, step.Action == "on");
            }
        }
    }

    /// <summary>The SoC's GPIO lines.</summary>
    public SimulatedGpioDriver Gpio { get; } = new();

    /// <summary>The MCP23017 expander.</summary>
    public SimulatedMcp23017 Expander { get; }

    /// <summary>The MPU6050 accelerometer.</summary>
    public SimulatedMpu6050 Accelerometer { get; }

    /// <summary>The INA219 supply monitor.</summary>
    public SimulatedIna219 Supply { get; }

    /// <summary>Makes the input wired as <paramref name="source"/> active or inactive (its polarity applied).</summary>
    public void SetInput(string source, bool active)
    {
        var input = _options.Inputs.Find(i => i.Source == source)
            ?? throw new ArgumentException($"No input is configured for source '{source}' (InCarVideo:Inputs).", nameof(source));
        var high = active != input.ActiveLow;
        if (_options.Controller == InputControllerKind.Mcp23017)
        {
            Expander.SetInput(input.Pin, high);
        }
        else
        {
            Gpio.SetLevel(input.Pin, high ? PinValue.High : PinValue.Low);
        }
    }

    /// <summary>Sets a horizontal (braking) acceleration in g, the vehicle otherwise at rest.</summary>
    public void SetHorizontalG(double g) => Accelerometer.SetAcceleration(-g, 0, 1);

    /// <summary>Takes <paramref name="device"/> off its bus (a sensor not fitted, or a broken lead): opening it fails as on a real bus.</summary>
    public void Unplug(SimulatedI2cDevice device) =>
        _devices.TryRemove((device.ConnectionSettings.BusId, device.ConnectionSettings.DeviceAddress), out _);

    public GpioController OpenGpio() => new(Gpio);

    public I2cDevice OpenI2c(I2cDeviceOptions device) =>
        _devices.TryGetValue((device.Bus, device.Address), out var found)
            ? found
            : throw new IOException($"No simulated I2C device answers on bus {device.Bus} at address 0x{device.Address:x2}.");

    private T Add<T>(T device)
        where T : SimulatedI2cDevice
    {
        _devices[(device.ConnectionSettings.BusId, device.ConnectionSettings.DeviceAddress)] = device;
        return device;
    }
}
