using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;

namespace EdgeGateway.Uplink.Tetra;

/// <summary>Adds the TETRA bearer's counters to the periodic health report.</summary>
internal sealed class TetraUplinkHealthContributor(TetraUplinkCounters counters) : IHealthContributor
{
    public void Contribute(HealthReport report)
    {
        var c = report.Counters;
        c["tetra.uplink.failovers"] = (ulong)counters.Failovers;
        c["tetra.uplink.envelopes_stored"] = (ulong)counters.EnvelopesStored;
        c["tetra.uplink.positions_stored"] = (ulong)counters.PositionsStored;
        c["tetra.uplink.declined"] = (ulong)counters.DeclinedCount;
        c["tetra.uplink.not_stored"] = (ulong)counters.NotStoredCount;
        c["tetra.uplink.copies_sent"] = (ulong)counters.CopiesSent;
        c["tetra.uplink.copies_not_sent"] = (ulong)counters.CopiesNotSent;
    }
}
