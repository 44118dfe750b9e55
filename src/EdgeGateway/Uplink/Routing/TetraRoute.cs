namespace EdgeGateway.Uplink.Routing;

/// <summary>When a priority class may also travel as TETRA SDS.</summary>
public enum TetraRoute
{
    /// <summary>Never over TETRA (forced for Read and Bulk).</summary>
    Never,

    /// <summary>Over TETRA only while the IP link (LTE, depot) is down.</summary>
    WhenLteDown,

    /// <summary>
    /// Every available bearer at once: as <see cref="WhenLteDown"/>, and while the IP link is up a copy also goes
    /// over TETRA as soon as the message is stored (FleetControl keeps the first and drops the other by message id).
    /// The default for Emergency.
    /// </summary>
    Always,
}
