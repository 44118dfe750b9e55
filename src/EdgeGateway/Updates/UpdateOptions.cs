using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using EdgeGateway.Hosting;

namespace EdgeGateway.Updates;

/// <summary>Section <c>Updates</c>: over-the-air updates (signed packages, A/B install, health-confirmed commit, rollback).</summary>
[UnconditionalSuppressMessage("Trimming", "IL2026", Justification = OptionsValidation.KeptWhole)]
internal sealed class UpdateOptions
{
    public const string SectionName = "Updates";

    /// <summary>The fleet signing key's public key (PEM); packages not signed by it are refused. Empty: updates are refused.</summary>
    public string TrustedKeyFile { get; set; } = string.Empty;

    /// <summary>The install root holding <c>releases/A</c>, <c>releases/B</c> and the <c>current</c> link (e.g. /opt/edgegateway).</summary>
    public string InstallRoot { get; set; } = string.Empty;

    /// <summary>How long a new version has to confirm its health (connected to FleetControl, watchdog healthy) before it is rolled back.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true,
        ErrorMessage = "Updates:HealthDeadline must be between 00:00:05 and 01:00:00.")]
    public TimeSpan HealthDeadline { get; set; } = TimeSpan.FromMinutes(2);
}
