using EdgeGateway.Devices.Modem;

namespace EdgeGateway.Devices.Tetra;

/// <summary>What the gateway knows about its TETRA terminal now.</summary>
/// <param name="Connected">The PEI line is open and the terminal initialised.</param>
/// <param name="Registered">Registered to the network (last <c>+CREG</c>).</param>
/// <param name="Signal">The last <c>+CSQ</c>, if any.</param>
internal sealed record TetraStatus(bool Connected, bool Registered, SignalQuality? Signal)
{
    /// <summary>Nothing known: not connected.</summary>
    public static TetraStatus Disconnected { get; } = new(false, false, null);
}
