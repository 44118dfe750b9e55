namespace EdgeGateway.Devices.InCarVideo;

/// <summary>One debounced trigger from any source: a discrete input, a sensor, or another adapter.</summary>
/// <param name="Source">Which source (see <see cref="TriggerSources"/>).</param>
/// <param name="State">On, off or a one-off pulse.</param>
/// <param name="At">When the change happened (the first edge, not the end of the debounce time).</param>
/// <param name="Detail">A readable account, e.g. <c>gpio pin 17 high</c> or <c>1.62 g</c>.</param>
/// <param name="Attributes">Extra machine-readable facts (pin, g, volts, speed).</param>
public sealed record TriggerSignal(
    string Source,
    TriggerState State,
    DateTimeOffset At,
    string Detail,
    IReadOnlyDictionary<string, string>? Attributes = null);
