namespace EdgeGateway.Devices.InCarVideo;

/// <summary>One discrete 12 V input (through an opto-isolator) and the trigger source it stands for.</summary>
public sealed class DiscreteInputOptions
{
    /// <summary>The trigger source this input reports as, e.g. <c>light-bar</c> (see <see cref="TriggerSources"/>).</summary>
    public string Source { get; set; } = string.Empty;

    /// <summary>GPIO line (logical number) or expander pin 0-15.</summary>
    public int Pin { get; set; }

    /// <summary>True when the input reads low while active (opto-isolators pulling the line down).</summary>
    public bool ActiveLow { get; set; }

    /// <summary>True for a momentary input (officer button): each press is one trigger, the release is not reported.</summary>
    public bool Momentary { get; set; }
}
