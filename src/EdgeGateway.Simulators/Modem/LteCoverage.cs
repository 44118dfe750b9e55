namespace EdgeGateway.Simulators.Modem;

/// <summary>What the simulated LTE modem sees of the network.</summary>
internal enum LteCoverage
{
    /// <summary>Registered, attached, RSRP −85 dBm.</summary>
    Good,

    /// <summary>Registered, attached, RSRP −118 dBm (cell edge).</summary>
    Poor,

    /// <summary>Not registered (searching), detached: a tunnel.</summary>
    Lost,
}
