using EdgeGateway.Devices.Modem;

namespace EdgeGateway.Devices.Lte;

/// <summary>What the gateway knows about its LTE modem now.</summary>
/// <param name="State">The bearer state routing uses.</param>
/// <param name="Registration">The last <c>+CEREG</c> (read or unsolicited).</param>
/// <param name="RsrpDbm">RSRP from <c>+CESQ</c>, if known.</param>
/// <param name="RsrqDb">RSRQ from <c>+CESQ</c>, if known.</param>
/// <param name="Csq">The last <c>+CSQ</c>, if read.</param>
/// <param name="Operator">The operator name from <c>+COPS?</c>, if any.</param>
/// <param name="Address">The PDP context's address from <c>+CGPADDR</c>, or null while detached.</param>
internal sealed record LteStatus(LteBearerState State, RegistrationReport? Registration, int? RsrpDbm, double? RsrqDb, SignalQuality? Csq, string? Operator, string? Address)
{
    /// <summary>Nothing known.</summary>
    public static LteStatus Unknown { get; } = new(LteBearerState.Unavailable, null, null, null, null, null, null);
}
