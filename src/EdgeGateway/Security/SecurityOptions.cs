using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using EdgeGateway.Hosting;

namespace EdgeGateway.Security;

/// <summary>
/// This gateway's identity and transport security (configuration section <c>Security</c>). Mutual TLS
/// is on unless <see cref="DevelopmentPlaintext"/> is set.
/// </summary>
[UnconditionalSuppressMessage("Trimming", "IL2026", Justification = OptionsValidation.KeptWhole)]
public sealed class SecurityOptions : IValidatableObject
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Security";

    /// <summary>
    /// DEVELOPMENT OVERRIDE: MQTT and gRPC in cleartext, no certificate. Logged as a warning at start-up.
    /// Only against a FleetControl that runs its own override (<c>Identity:DevelopmentPlaintext</c>).
    /// </summary>
    public bool DevelopmentPlaintext { get; set; }

    /// <summary>FleetControl's device CA (PEM): the only anchor the gateway trusts for the broker and gRPC.</summary>
    public string? CaCertificateFile { get; set; }

    /// <summary>
    /// The engineer's one-time enrolment token, needed once, on first start. Prefer
    /// <see cref="EnrolmentTokenFile"/> or the environment (<c>Security__EnrolmentToken</c>); never logged.
    /// </summary>
    public string? EnrolmentToken { get; set; }

    /// <summary>A file holding the enrolment token (first line); read when the gateway has no certificate yet.</summary>
    public string? EnrolmentTokenFile { get; set; }

    /// <summary>Where the key and certificate live; default <c>{Gateway:DataDirectory}/identity</c>.</summary>
    public string? Directory { get; set; }

    /// <summary>Renew at the latest this long before the certificate expires (and at the latest when two thirds of its life are gone).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "365.00:00:00", ErrorMessage = "Security:RenewBefore must be between 1 second and 365 days.")]
    public TimeSpan RenewBefore { get; set; } = TimeSpan.FromDays(10);

    /// <summary>Pause before trying again after enrolment or renewal failed (FleetControl down, token not yet given).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00", ErrorMessage = "Security:RetryInterval must be between 100 ms and 1 day.")]
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (DevelopmentPlaintext)
        {
            yield break;
        }

        if (string.IsNullOrWhiteSpace(CaCertificateFile))
        {
            yield return new ValidationResult(
                "Security:CaCertificateFile is required: copy FleetControl's {DataDirectory}/identity/ca.crt to this machine and name it here "
                + "(or, for development only, set Security:DevelopmentPlaintext=true on both sides).", [nameof(CaCertificateFile)]);
        }
        else if (!File.Exists(CaCertificateFile))
        {
            yield return new ValidationResult($"Security:CaCertificateFile '{CaCertificateFile}' does not exist.", [nameof(CaCertificateFile)]);
        }
    }
}
