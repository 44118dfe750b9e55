using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using EdgeGateway.Hosting;

namespace EdgeGateway.Health;

/// <summary>Periodic health reporting (configuration section <c>Health</c>).</summary>
[UnconditionalSuppressMessage("Trimming", "IL2026", Justification = OptionsValidation.KeptWhole)]
internal sealed class HealthOptions
{
    public const string SectionName = "Health";

    /// <summary>How often a HealthReport is sent to FleetControl (stream "health", Telemetry class).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true,
        ErrorMessage = "Health:ReportInterval must be between {1} and {2}.")]
    public TimeSpan ReportInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the local <c>health.json</c> is rewritten.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true,
        ErrorMessage = "Health:FileInterval must be between {1} and {2}.")]
    public TimeSpan FileInterval { get; set; } = TimeSpan.FromSeconds(5);
}
