using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace EdgeGateway.Contracts.Security;

/// <summary>
/// How a client (a gateway, FleetControl's ingest client) checks the server it reached: the certificate
/// chains to the one configured trust anchor (the device CA, not the system store), is valid now and
/// names the host that was dialled.
/// </summary>
public static class ServerCertificateCheck
{
    /// <summary>True when <paramref name="certificate"/> is trusted under <paramref name="anchor"/> for the dialled host.</summary>
    public static bool IsTrusted(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2 anchor)
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNotAvailable | SslPolicyErrors.RemoteCertificateNameMismatch)) != 0)
        {
            return false;
        }

        using var presented = certificate as X509Certificate2 is { } x509 ? null : X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(anchor);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid(DeviceCertificates.ServerAuthenticationOid));
        return chain.Build(presented ?? (X509Certificate2)certificate);
    }
}
