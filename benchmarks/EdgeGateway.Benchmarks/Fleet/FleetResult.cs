using System.Globalization;

namespace EdgeGateway.Benchmarks.Fleet;

/// <summary>One target at one fleet size. CPU figures are milliseconds of CPU per 1,000 envelopes acknowledged.</summary>
internal sealed record FleetResult(
    string Target,
    int Devices,
    double OfferedPerSecond,
    double AckedPerSecond,
    double P50Ms,
    double P99Ms,
    double BrokerCpuMs,
    double FleetCpuMs,
    double PostgresCpuMs,
    double SimulatorCpuMs,
    int Connections,
    int Outstanding)
{
    /// <summary>Kept up: acknowledged at least 95 % of what was offered, and p99 under 1 s.</summary>
    public bool KeptUp => AckedPerSecond >= 0.95 * OfferedPerSecond && P99Ms < 1000;

    public string Line() => string.Create(CultureInfo.InvariantCulture,
        $"  {Target,-9} {Devices,6} devices: offered {OfferedPerSecond,8:F0} env/s, acked {AckedPerSecond,8:F0} env/s, p50 {P50Ms,7:F1} ms, p99 {P99Ms,7:F1} ms, CPU ms/1k env broker {BrokerCpuMs:F0} fleet {FleetCpuMs:F0} pg {PostgresCpuMs:F0} sim {SimulatorCpuMs:F0}, {Outstanding} unacked at stop");

    public string Row(FleetResult? baseline) => string.Create(CultureInfo.InvariantCulture,
        $"| {Devices:N0} | {Target} | {OfferedPerSecond:F0} | {AckedPerSecond:F0} | {(baseline is null || baseline.AckedPerSecond == 0 ? "-" : (AckedPerSecond / baseline.AckedPerSecond).ToString("F2", CultureInfo.InvariantCulture))} | {P50Ms:F1} | {P99Ms:F1} | {BrokerCpuMs:F0} / {FleetCpuMs:F0} / {PostgresCpuMs:F0} / {SimulatorCpuMs:F0} | {Connections:N0} | {(KeptUp ? "yes" : "no")} |");
}
