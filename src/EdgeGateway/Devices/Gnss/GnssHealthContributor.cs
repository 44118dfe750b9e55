using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Devices.Gnss.Nmea;

namespace EdgeGateway.Devices.Gnss;

/// <summary>Adds the GNSS adapter's counters (rejects, thinning, connection) to the periodic health report.</summary>
internal sealed class GnssHealthContributor : IHealthContributor
{
    private readonly GnssCounters _counters;

    public GnssHealthContributor(GnssCounters counters)
    {
        _counters = counters;
    }

    public void Contribute(HealthReport report)
    {
        var c = report.Counters;
        var nmea = _counters.Nmea;
        c["gnss.sentences"] = (ulong)nmea.Accepted;
        foreach (var reason in Enum.GetValues<NmeaRejectReason>())
        {
            var group = reason is NmeaRejectReason.Proprietary or NmeaRejectReason.Unsupported ? "skipped" : "rejected";
            c[$"gnss.{group}.{NmeaReaderCounters.KeyOf(reason)}"] = (ulong)nmea.Rejected(reason);
        }

        c["gnss.invalid_fields"] = (ulong)_counters.InvalidFields;
        c["gnss.rollover_corrections"] = (ulong)_counters.RolloverCorrections;
        c["gnss.fixes"] = (ulong)_counters.Fixes;
        c["gnss.last_fix_mode"] = (ulong)_counters.LastFixMode;
        c["gnss.last_fix_satellites"] = (ulong)_counters.LastFixSatellites;
        c["gnss.last_fix_unix_ms"] = (ulong)_counters.LastFixUnixMs;
        c["gnss.thinned"] = (ulong)_counters.Thinned;
        c["gnss.forwarded"] = (ulong)_counters.Forwarded;
        c["gnss.refused"] = (ulong)_counters.Refused;

        var transport = _counters.Transport;
        c["gnss.transport.connects"] = (ulong)transport.Connects;
        c["gnss.transport.connect_failures"] = (ulong)transport.ConnectFailures;
        c["gnss.transport.disconnects"] = (ulong)transport.Disconnects;
        c["gnss.transport.idle_timeouts"] = (ulong)transport.IdleTimeouts;
        c["gnss.transport.bytes"] = (ulong)transport.Bytes;
    }
}
