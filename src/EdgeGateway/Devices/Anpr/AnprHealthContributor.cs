using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Devices.Anpr.Hotlists;

namespace EdgeGateway.Devices.Anpr;

/// <summary>Adds the ANPR counters and the hotlist version to the periodic health report.</summary>
internal sealed class AnprHealthContributor(AnprCounters counters, HotlistHolder hotlist) : IHealthContributor
{
    public void Contribute(HealthReport report)
    {
        var c = report.Counters;
        c["anpr.reads"] = (ulong)counters.Reads;
        c["anpr.hits"] = (ulong)counters.Hits;
        c["anpr.hits_suppressed"] = (ulong)counters.Suppressed;
        c["anpr.refused"] = (ulong)counters.Refused;
        c["anpr.camera_faults"] = (ulong)counters.CameraFaults;
        foreach (var (reason, count) in counters.Rejected)
        {
            c[$"anpr.rejected.{reason}"] = (ulong)count;
        }

        c["anpr.hotlist_version"] = (ulong)hotlist.Current.Version;
        c["anpr.hotlist_entries"] = (ulong)hotlist.Current.Count;
    }
}
