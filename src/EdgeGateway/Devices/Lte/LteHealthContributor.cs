using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;

namespace EdgeGateway.Devices.Lte;

/// <summary>Adds the LTE bearer state and signal to the periodic health report.</summary>
internal sealed class LteHealthContributor(LteAdapter adapter) : IHealthContributor
{
    public void Contribute(HealthReport report)
    {
        var c = report.Counters;
        var status = adapter.Status;
        c["lte.state"] = (ulong)status.State; // 0 unavailable, 1 poor, 2 good
        c["lte.registered"] = status.Registration?.IsRegistered == true ? 1UL : 0UL;
        c["lte.rsrp_dbm_negated"] = (ulong)(-(status.RsrpDbm ?? 0));
        c["lte.at.timeouts"] = (ulong)adapter.Counters.At.Timeouts;
        c["lte.transport.connects"] = (ulong)adapter.Counters.Transport.Connects;
    }
}
