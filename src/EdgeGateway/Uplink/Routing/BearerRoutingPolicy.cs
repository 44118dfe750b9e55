using EdgeGateway.Contracts.V1;

namespace EdgeGateway.Uplink.Routing;

/// <summary>
/// Decides, per class, whether TETRA carries it now. Pure: the caller says what the bearers are doing.
/// The IP link (MQTT over LTE or the depot) carries every class; while it is down, the drain moves onto
/// TETRA for the classes <see cref="RoutingOptions"/> allows (see <c>Uplink/Tetra</c>).
/// </summary>
internal sealed class BearerRoutingPolicy(RoutingOptions options)
{
    /// <summary>
    /// True when <paramref name="priority"/> should be sent over TETRA now: its route is not
    /// <see cref="TetraRoute.Never"/>, the IP link is down and the terminal is available.
    /// </summary>
    public bool UseTetra(PriorityClass priority, bool ipLinkUp, bool tetraAvailable) =>
        tetraAvailable && !ipLinkUp && options.TetraRouteOf(priority) != TetraRoute.Never;

    /// <summary>
    /// True when a just-accepted <paramref name="priority"/> message should also go over TETRA as a copy now:
    /// its route is <see cref="TetraRoute.Always"/>, the IP link is up (while it is down the drain itself runs on
    /// TETRA) and the terminal is available.
    /// </summary>
    public bool CopyOverTetra(PriorityClass priority, bool ipLinkUp, bool tetraAvailable) =>
        tetraAvailable && ipLinkUp && options.TetraRouteOf(priority) == TetraRoute.Always;

    /// <summary>True when some class is routed <see cref="TetraRoute.Always"/> (so copies can be made at all).</summary>
    public bool CopiesAny => options.Tetra.Values.Any(route => route == TetraRoute.Always);
}
