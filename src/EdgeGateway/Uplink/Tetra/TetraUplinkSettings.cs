using EdgeGateway.Contracts.V1;
using EdgeGateway.Devices.Tetra;
using EdgeGateway.Uplink.Drain;
using EdgeGateway.Uplink.Routing;

namespace EdgeGateway.Uplink.Tetra;

/// <summary>What the TETRA bearer and its drain run need, from <c>Tetra</c> and <c>Routing</c>.</summary>
/// <param name="DispatcherIssi">FleetControl's TETRA gateway.</param>
/// <param name="LipInterval">Least gap between two LIP positions.</param>
/// <param name="MaxPending">Most SDS awaiting their report at once.</param>
/// <param name="Classes">The classes the TETRA drain may lease.</param>
/// <param name="Drain">The drain scheduler's limits on this bearer.</param>
internal sealed record TetraUplinkSettings(string DispatcherIssi, TimeSpan LipInterval, int MaxPending, IReadOnlySet<PriorityClass> Classes, DrainSettings Drain)
{
    /// <summary>Most SDS awaiting a report at once: a few, the air interface is slow.</summary>
    public const int DefaultMaxPending = 4;

    /// <summary>From the options: one SDS per lease and batch, paced like the terminal's SDS queue.</summary>
    public static TetraUplinkSettings From(TetraOptions tetra, RoutingOptions routing)
    {
        var perSecond = tetra.SdsMinInterval <= TimeSpan.Zero ? 10 : (int)Math.Clamp(Math.Round(1 / tetra.SdsMinInterval.TotalSeconds), 1, 10);
        var drain = new DrainSettings(
            MaxInFlight: DefaultMaxPending,
            MaxLease: 1,
            MaxBatch: 1,
            MaxBatchBytes: SdsEnvelopeLimit,
            MaxMessagesPerSecond: perSecond,
            // The report may queue behind the others' air time (each up to MaxSegments SDS) before its own timeout starts.
            AckTimeout: tetra.ReportTimeout + (tetra.SdsMinInterval * DefaultMaxPending * Contracts.Tetra.SdsCompactEnvelope.MaxSegments) + TimeSpan.FromSeconds(5));
        var classes = OutboxClassSetOf(routing);
        return new TetraUplinkSettings(tetra.DispatcherIssi, routing.LipInterval, DefaultMaxPending, classes, drain);
    }

    private const int SdsEnvelopeLimit = Contracts.Tetra.SdsEnvelope.MaxEnvelopeBytes;

    private static HashSet<PriorityClass> OutboxClassSetOf(RoutingOptions routing) =>
        [.. Outbox.OutboxClassDefaults.All.Where(c => routing.TetraRouteOf(c) != TetraRoute.Never)];
}
