using EdgeGateway.Contracts.V1;

namespace EdgeGateway.Uplink.Routing;

/// <summary>
/// Decides, per envelope, whether it also goes as TETRA SDS now. Pure: the caller says what the bearers
/// are doing. The IP link (MQTT over LTE or the depot) always gets every class through the one outbox and
/// drain scheduler; this only adds TETRA for the classes <see cref="RoutingOptions"/> allows.
/// </summary>
internal sealed class BearerRoutingPolicy(RoutingOptions options)
{
    /// <summary>
    /// True when <paramref name="priority"/> should be sent over TETRA now: its route is
    /// <see cref="TetraRoute.Always"/>, or <see cref="TetraRoute.WhenLteDown"/> while <paramref name="ipLinkUp"/> is
    /// false; and only while <paramref name="tetraAvailable"/>.
    /// </summary>
    public bool UseTetra(PriorityClass priority, bool ipLinkUp, bool tetraAvailable) =>
        tetraAvailable && options.TetraRouteOf(priority) switch
        {
            TetraRoute.Always => true,
            TetraRoute.WhenLteDown => !ipLinkUp,
            _ => false,
        };
}
