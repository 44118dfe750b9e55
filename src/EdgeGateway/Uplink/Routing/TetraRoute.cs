namespace EdgeGateway.Uplink.Routing;

/// <summary>When a priority class may also travel as TETRA SDS.</summary>
public enum TetraRoute
{
    /// <summary>Never over TETRA (the default for Event, Read, Telemetry; forced for Bulk).</summary>
    Never,

    /// <summary>Over TETRA only while the IP link (LTE, depot) is down.</summary>
    WhenLteDown,

    /// <summary>Over TETRA as well as the IP link, at once (Emergency: every available bearer).</summary>
    Always,
}
