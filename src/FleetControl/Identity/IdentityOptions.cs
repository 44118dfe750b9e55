using System.ComponentModel.DataAnnotations;

namespace FleetControl.Identity;

/// <summary>
/// The device certificate authority and transport security (configuration section <c>Identity</c>).
/// Mutual TLS is on unless <see cref="DevelopmentPlaintext"/> is set.
/// </summary>
internal sealed class IdentityOptions : IValidatableObject
{
    public const string SectionName = "Identity";

    /// <summary>
    /// DEVELOPMENT OVERRIDE: MQTT and gRPC in cleartext, devices identified by the client id they claim.
    /// Logged as a warning at start-up and shown in the start-up summary. Never in production.
    /// </summary>
    public bool DevelopmentPlaintext { get; set; }

    /// <summary>
    /// A CA certificate (PEM) to issue device and server certificates with, instead of the one FleetControl
    /// generates in <c>{DataDirectory}/identity</c>. Goes with <see cref="CaKeyFile"/>.
    /// </summary>
    public string? CaCertificateFile { get; set; }

    /// <summary>The private key (PEM, PKCS#8) of <see cref="CaCertificateFile"/>; must be mode 0600.</summary>
    public string? CaKeyFile { get; set; }

    /// <summary>How long a device certificate is valid; gateways renew well before the end.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "3650.00:00:00", ErrorMessage = "Identity:DeviceCertificateLifetime must be between 1 minute and 3650 days.")]
    public TimeSpan DeviceCertificateLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long an enrolment token may wait to be used.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00", ErrorMessage = "Identity:EnrolmentTokenLifetime must be between 1 minute and 30 days.")]
    public TimeSpan EnrolmentTokenLifetime { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// Host names and addresses gateways use to reach this server, put into its TLS certificate
    /// (localhost, 127.0.0.1, ::1 and the machine name are always in).
    /// </summary>
    public string[] ServerNames { get; set; } = [];

    /// <summary>
    /// Where every certificate the CA issued is kept for custody verification, instead of <c>{identity}/certificates</c>.
    /// Required with <c>Store:Provider=PostgreSql</c> under mutual TLS: the same shared directory on every instance (beside
    /// the shared vault, e.g. <c>{vault}/../identity/certificates</c>, where <c>evidence verify</c> looks), so the custody
    /// entries each instance's vault key signs, and those of devices enrolled anywhere, verify on every instance.
    /// </summary>
    public string? CertificatesDirectory { get; set; }

    /// <summary>
    /// Where the revocation list for an external broker (its <c>crlfile</c>) is written, instead of <c>{identity}/crl.pem</c>.
    /// With several instances (<c>Store:Provider=PostgreSql</c>) give every instance the same path on a shared directory:
    /// the list is built from the shared registry, so whichever instance revokes writes every revocation into it.
    /// </summary>
    public string? RevocationListFile { get; set; }

    /// <summary>
    /// External broker only: a command run (no shell; words split on spaces) after a revocation has rewritten
    /// <c>{identity}/crl.pem</c>, so the broker re-reads its revocation list without a restart, e.g.
    /// <c>systemctl reload mosquitto</c> or <c>/usr/bin/pkill -HUP -x mosquitto</c> (mosquitto reloads <c>crlfile</c> on SIGHUP).
    /// </summary>
    public string? BrokerReloadCommand { get; set; }

    /// <summary>
    /// External broker only (<c>Mqtt:Mode=External</c>): after a revocation, also close the device's open connection
    /// through mosquitto's dynamic security plugin (<c>disableClient</c> on <c>$CONTROL/dynamic-security/v1</c>, sent on
    /// FleetControl's ingest connection). A reloaded revocation list alone refuses only new handshakes. The broker must
    /// load the plugin and its ACL must let the ingest identity use <c>$CONTROL/dynamic-security/#</c> (deploy/mosquitto);
    /// when it does not, each revocation logs an error. Turn off for a broker without the plugin.
    /// </summary>
    public bool BrokerDynamicSecurity { get; set; } = true;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrEmpty(CaCertificateFile) != string.IsNullOrEmpty(CaKeyFile))
        {
            yield return new ValidationResult(
                "Identity:CaCertificateFile and Identity:CaKeyFile go together: set both or neither.",
                [nameof(CaCertificateFile), nameof(CaKeyFile)]);
        }

        foreach (var file in new[] { CaCertificateFile, CaKeyFile })
        {
            if (!string.IsNullOrEmpty(file) && !File.Exists(file))
            {
                yield return new ValidationResult($"Identity: the file '{file}' does not exist.", [nameof(CaCertificateFile)]);
            }
        }
    }
}
