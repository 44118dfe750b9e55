namespace EdgeGateway.Uplink.Routing;

/// <summary>When a priority class may also travel as TETRA SDS.</summary>
public enum TetraRoute
{
    /// <summary>Never over TETRA (forced for Read and Bulk).</summary>
    Never,

    /// <summary>Over TETRA only while the IP link (LTE, depot) is down.</summary>
    WhenLteDown,

    /// <summary>
    /// Accepted for older configurations; the same as <see cref="WhenLteDown"/>: one drain serves every
    /// bearer, so a message goes over TETRA only while the IP link is down (over LTE it is out in milliseconds).
    /// </summary>
    Always,
}
