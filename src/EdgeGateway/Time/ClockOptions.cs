using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using EdgeGateway.Hosting;

namespace EdgeGateway.Time;

/// <summary>Section <c>Clock</c>: how wall-clock steps are noticed (and written to the custody logs of open evidence).</summary>
[UnconditionalSuppressMessage("Trimming", "IL2026", Justification = OptionsValidation.KeptWhole)]
internal sealed class ClockOptions
{
    public const string SectionName = "Clock";

    /// <summary>A difference between wall and monotonic clock larger than this is a step (NTP slews stay well below).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true,
        ErrorMessage = "Clock:StepTolerance must be between 00:00:00.100 and 01:00:00.")]
    public TimeSpan StepTolerance { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often the clocks are compared while nothing else asks (every custody append also compares them).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true,
        ErrorMessage = "Clock:CheckInterval must be between 00:00:01 and 01:00:00.")]
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(10);
}
