using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EdgeGateway.Contracts.Security;

/// <summary>
/// What gateway and FleetControl agree about device certificates: the subject is <c>CN={deviceId}</c>,
/// the key is ECDSA P-256, the request is PKCS#10 in PEM.
/// </summary>
public static class DeviceCertificates
{
    /// <summary>Extended key usage "TLS client authentication".</summary>
    public const string ClientAuthenticationOid = "1.3.6.1.5.5.7.3.2";

    /// <summary>Extended key usage "TLS server authentication".</summary>
    public const string ServerAuthenticationOid = "1.3.6.1.5.5.7.3.1";

    /// <summary>The certificate signing request a device sends: subject <c>CN={deviceId}</c>, signed by its key.</summary>
    public static string CreateSigningRequestPem(string deviceId, ECDsa key)
    {
        var request = new CertificateRequest(SubjectFor(deviceId), key, HashAlgorithmName.SHA256);
        return request.CreateSigningRequestPem();
    }

    /// <summary>
    /// <paramref name="certificate"/> with <paramref name="key"/> attached, round-tripped through PKCS#12 so
    /// SslStream can present it (an ephemeral key is not usable for TLS on every platform).
    /// </summary>
    public static X509Certificate2 WithPrivateKey(X509Certificate2 certificate, ECDsa key)
    {
        using var withKey = certificate.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>The subject name of <paramref name="deviceId"/>'s certificate.</summary>
    public static X500DistinguishedName SubjectFor(string deviceId)
    {
        var builder = new X500DistinguishedNameBuilder();
        builder.AddCommonName(deviceId);
        return builder.Build();
    }

    /// <summary>The certificate's common name (the device id), or null when it has none.</summary>
    /// <remarks>Exactly one CN is accepted; a subject with none or several has no device id.</remarks>
    public static string? CommonName(X509Certificate2 certificate) => CommonName(certificate.SubjectName);

    /// <summary>The single common name of <paramref name="name"/>, or null when it has none or several.</summary>
    public static string? CommonName(X500DistinguishedName name)
    {
        string? found = null;
        foreach (var rdn in name.EnumerateRelativeDistinguishedNames())
        {
            if (rdn.HasMultipleElements)
            {
                return null;
            }

            if (rdn.GetSingleElementType().Value != "2.5.4.3")
            {
                continue;
            }

            if (found is not null)
            {
                return null;
            }

            found = rdn.GetSingleElementValue();
        }

        return string.IsNullOrEmpty(found) ? null : found;
    }
}
