using System.ComponentModel.DataAnnotations;

namespace FleetControl.Alerts;

/// <summary>Alert thresholds (configuration section <c>Alerts</c>).</summary>
internal sealed class AlertOptions
{
    public const string SectionName = "Alerts";

    /// <summary>A device offline (or silent) longer than this raises an alert.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00", ErrorMessage = "Alerts:OfflineAfter must be 1 s to 30 days.")]
    public TimeSpan OfflineAfter { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>Oldest unsent message in any class older than this raises an alert.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00", ErrorMessage = "Alerts:BacklogAgeThreshold must be 1 s to 30 days.")]
    public TimeSpan BacklogAgeThreshold { get; set; } = TimeSpan.FromHours(6);

    /// <summary>This many failed transfers in a dock's status raises an alert.</summary>
    [Range(1, 1000, ErrorMessage = "Alerts:DockFailureThreshold must be 1-1000.")]
    public int DockFailureThreshold { get; set; } = 2;

    /// <summary>How often condition rules are evaluated over every device.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00", ErrorMessage = "Alerts:EvaluationInterval must be 100 ms to 1 h.")]
    public TimeSpan EvaluationInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A device whose clock is off by more than this (either way) is flagged and raises an alert.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00", ErrorMessage = "Alerts:ClockOffsetThreshold must be 100 ms to 1 day.")]
    public TimeSpan ClockOffsetThreshold { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The clock offset is the least delayed message received in this window (queueing only makes messages look older).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Alerts:ClockOffsetWindow must be 1 s to 1 day.")]
    public TimeSpan ClockOffsetWindow { get; set; } = TimeSpan.FromMinutes(5);
}
