using System.ComponentModel.DataAnnotations;

namespace FleetControl.Health;

/// <summary>Section <c>Health</c>: what the readiness checks (<c>/readyz</c>, gRPC <c>grpc.health.v1</c>) demand.</summary>
public sealed class FleetHealthOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Health";

    /// <summary>Free bytes the vault's file system must keep for FleetControl to report ready (uploads need room).</summary>
    [Range(0, long.MaxValue, ErrorMessage = "Health:VaultMinFreeBytes must be 0 or more.")]
    public long VaultMinFreeBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>How long one readiness check may take before it counts as failed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true,
        ErrorMessage = "Health:CheckTimeout must be between 00:00:00.100 and 00:05:00.")]
    public TimeSpan CheckTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
