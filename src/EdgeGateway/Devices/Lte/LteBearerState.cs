namespace EdgeGateway.Devices.Lte;

/// <summary>What the LTE modem says about the IP bearer, for routing.</summary>
public enum LteBearerState
{
    /// <summary>No modem answering, not registered, or no PDP address: nothing goes over LTE.</summary>
    Unavailable,

    /// <summary>Registered with an address but a weak signal (RSRP below <see cref="LteOptions.PoorRsrpDbm"/>, or CSQ below 10).</summary>
    Poor,

    /// <summary>Registered, attached, adequate signal.</summary>
    Good,
}
