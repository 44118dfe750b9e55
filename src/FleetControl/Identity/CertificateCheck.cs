namespace FleetControl.Identity;

/// <summary>The outcome of <see cref="CertificateAuthority.Validate"/>: the device id, or why the certificate is refused.</summary>
internal readonly record struct CertificateCheck(string? DeviceId, string? Reason)
{
    public bool IsValid => DeviceId is not null;

    public static CertificateCheck Accepted(string deviceId) => new(deviceId, null);

    public static CertificateCheck Refused(string reason) => new(null, reason);
}
