using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;

namespace EdgeGateway.Devices.Tetra;

/// <summary>Adds the TETRA terminal's state and counters to the periodic health report.</summary>
internal sealed class TetraHealthContributor(TetraAdapter adapter, TetraCounters counters) : IHealthContributor
{
    public void Contribute(HealthReport report)
    {
        var c = report.Counters;
        var status = adapter.Status;
        c["tetra.connected"] = status.Connected ? 1UL : 0UL;
        c["tetra.registered"] = status.Registered ? 1UL : 0UL;
        c["tetra.rssi"] = (ulong)(status.Signal?.Rssi ?? 99);
        c["tetra.sds_sent"] = (ulong)counters.SdsSent;
        c["tetra.sds_delivered"] = (ulong)counters.SdsDelivered;
        c["tetra.sds_failed"] = (ulong)counters.SdsFailed;
        c["tetra.sds_no_report"] = (ulong)counters.SdsNoReport;
        c["tetra.sds_received"] = (ulong)counters.SdsReceived;
        c["tetra.sds_invalid"] = (ulong)counters.SdsInvalid;
        c["tetra.emergencies"] = (ulong)counters.Emergencies;
        c["tetra.init_errors"] = (ulong)counters.InitErrors;
        c["tetra.at.timeouts"] = (ulong)counters.At.Timeouts;
        c["tetra.transport.connects"] = (ulong)counters.Transport.Connects;
        c["tetra.transport.disconnects"] = (ulong)counters.Transport.Disconnects;
    }
}
