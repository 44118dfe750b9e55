using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using EdgeGateway.Hosting;

namespace EdgeGateway.Devices.InCarVideo;

/// <summary>In-car video trigger inputs (configuration section <c>InCarVideo</c>, vehicle role).</summary>
[UnconditionalSuppressMessage("Trimming", "IL2026", Justification = OptionsValidation.KeptWhole)]
public sealed class InCarVideoOptions : IValidatableObject
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "InCarVideo";

    /// <summary>Off by default: a vehicle without the trigger harness runs no input code and loads no IoT bindings.</summary>
    public bool Enabled { get; set; }

    /// <summary>Real Linux GPIO and I2C (<c>/dev/gpiochip*</c>, <c>/dev/i2c-*</c>) or the in-process simulated harness.</summary>
    public TriggerHardwareKind Hardware { get; set; } = TriggerHardwareKind.Linux;

    /// <summary>How discrete input edges are seen: GPIO edge events (interrupts) or reading the pins every <see cref="PollInterval"/>.</summary>
    public InputDetection Detection { get; set; } = InputDetection.Interrupt;

    /// <summary>Pin read interval in <see cref="InputDetection.Poll"/> mode (and always for an I2C expander without an interrupt line).</summary>
    [Range(typeof(TimeSpan), "00:00:00.005", "00:00:10", ErrorMessage = "InCarVideo:PollInterval must be between 5 ms and 10 s.")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>An input level must hold this long after its last edge before it counts (contact bounce, 12 V spikes).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10", ErrorMessage = "InCarVideo:Debounce must be between 0 and 10 s.")]
    public TimeSpan Debounce { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Where the discrete inputs are wired: the SoC's GPIO or an MCP23017 I2C expander.</summary>
    public InputControllerKind Controller { get; set; } = InputControllerKind.Gpio;

    /// <summary>The MCP23017 expander (when <see cref="Controller"/> is <see cref="InputControllerKind.Mcp23017"/>).</summary>
    public I2cDeviceOptions Expander { get; set; } = new() { Address = 0x20 };

    /// <summary>The discrete inputs: light bar, siren, doors, gun-lock, ignition, officer button.</summary>
    public List<DiscreteInputOptions> Inputs { get; set; } = [];

    /// <summary>The crash / harsh-braking accelerometer (MPU6050).</summary>
    public AccelerometerOptions Accelerometer { get; set; } = new();

    /// <summary>The supply voltage monitor (INA219).</summary>
    public SupplyMonitorOptions Supply { get; set; } = new();

    /// <summary>Speed above which recording is triggered, from the current GNSS fix (m/s; 0 = off). 31.3 m/s is 70 mph.</summary>
    [Range(0, 100, ErrorMessage = "InCarVideo:SpeedThresholdMps must be between 0 and 100 m/s.")]
    public double SpeedThresholdMps { get; set; }

    /// <summary>How often the GNSS speed and the supply voltage are sampled.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00", ErrorMessage = "InCarVideo:SlowSampleInterval must be between 50 ms and 1 minute.")]
    public TimeSpan SlowSampleInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long to wait before opening a bus or sensor again after it failed (missing device, bus error).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00", ErrorMessage = "InCarVideo:ReopenDelay must be between 10 ms and 1 hour.")]
    public TimeSpan ReopenDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The simulated harness's scenario (only with <see cref="TriggerHardwareKind.Simulated"/>).</summary>
    public string? ScenarioFile { get; set; }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var pins = new HashSet<int>();
        for (var i = 0; i < Inputs.Count; i++)
        {
            var input = Inputs[i];
            if (string.IsNullOrWhiteSpace(input.Source))
            {
                yield return new ValidationResult($"InCarVideo:Inputs:{i}:Source is required (for example light-bar, siren, door, gun-lock, ignition, officer-button).");
            }
            else if (!names.Add(input.Source))
            {
                yield return new ValidationResult($"InCarVideo:Inputs:{i}:Source '{input.Source}' is configured twice.");
            }

            if (!pins.Add(input.Pin))
            {
                yield return new ValidationResult($"InCarVideo:Inputs:{i}:Pin {input.Pin} is used by two inputs.");
            }

            var max = Controller == InputControllerKind.Mcp23017 ? 15 : 1023;
            if (input.Pin < 0 || input.Pin > max)
            {
                yield return new ValidationResult($"InCarVideo:Inputs:{i}:Pin {input.Pin} is out of range 0-{max} for {Controller}.");
            }
        }

        if (ScenarioFile is { Length: > 0 } file)
        {
            if (Hardware != TriggerHardwareKind.Simulated)
            {
                yield return new ValidationResult("InCarVideo:ScenarioFile drives the simulated harness only; set InCarVideo:Hardware to Simulated or remove it.");
            }
            else if (!File.Exists(file))
            {
                yield return new ValidationResult($"InCarVideo:ScenarioFile '{file}' does not exist.");
            }
            else
            {
                var (_, errors) = Simulation.VehicleScenario.Parse(File.ReadAllLines(file), Inputs.Select(i => i.Source).ToArray());
                foreach (var error in errors)
                {
                    yield return new ValidationResult($"InCarVideo:ScenarioFile '{file}' {error}.");
                }
            }
        }
    }
}
