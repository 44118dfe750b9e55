namespace FleetControl.Identity;

/// <summary>A device's identity state as the REST API shows it (never the token).</summary>
internal sealed record DeviceIdentityDto(
    string DeviceId,
    bool EnrolmentPending,
    DateTimeOffset? TokenExpiresAt,
    int ValidCertificates,
    DateTimeOffset? CertificateExpiresAt,
    int RevokedCertificates);
