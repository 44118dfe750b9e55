using System.ComponentModel.DataAnnotations;

namespace FleetControl.Commands;

/// <summary>Command defaults (configuration section <c>Commands</c>).</summary>
internal sealed class CommandOptions
{
    public const string SectionName = "Commands";

    /// <summary>How long a command waits for its device when the request names no time to live.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00", ErrorMessage = "Commands:DefaultTimeToLive must be 1 s to 30 days.")]
    public TimeSpan DefaultTimeToLive { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Longest time between expiry sweeps (the sweep also runs at the next known expiry).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "Commands:MaxSweepInterval must be 1 s to 1 h.")]
    public TimeSpan MaxSweepInterval { get; set; } = TimeSpan.FromMinutes(5);
}
