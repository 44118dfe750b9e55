using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using EdgeGateway.Hosting;

namespace EdgeGateway.Hosting.Watchdog;

/// <summary>
/// Section <c>Watchdog</c>. The interval comes from systemd (<c>WatchdogSec=</c> in the unit, passed as
/// <c>WATCHDOG_USEC</c>); without it the watchdog does nothing and costs nothing.
/// </summary>
[UnconditionalSuppressMessage("Trimming", "IL2026", Justification = OptionsValidation.KeptWhole)]
internal sealed class WatchdogOptions
{
    public const string SectionName = "Watchdog";

    /// <summary>
    /// Longest a single step of a watched loop (a lease, a publish batch, a store write, a parsed read) may
    /// take before the loop counts as wedged and <c>WATCHDOG=1</c> stops. Longer than any healthy step on a
    /// slow cellular link; the unit's <c>WatchdogSec</c> then adds the time systemd waits.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan MaxBusy { get; set; } = TimeSpan.FromMinutes(2);
}
