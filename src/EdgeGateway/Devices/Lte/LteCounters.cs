using EdgeGateway.Devices.Modem;
using EdgeGateway.Transport;

namespace EdgeGateway.Devices.Lte;

/// <summary>The LTE modem's line and AT counters.</summary>
internal sealed class LteCounters
{
    /// <summary>The serial line.</summary>
    public TransportCounters Transport { get; } = new();

    /// <summary>The AT session.</summary>
    public AtSessionCounters At { get; } = new();
}
