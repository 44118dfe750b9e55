using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace FleetCtl;

/// <summary>
/// Checks FleetControl's TLS certificate against the CA given with <c>--cacert</c> (FleetControl's own device CA
/// issues its server certificate): the chain must end at that CA, be valid now and name the host dialled.
/// </summary>
internal static class TrustedServer
{
    public static SocketsHttpHandler Handler(X509Certificate2 anchor)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNotAvailable | SslPolicyErrors.RemoteCertificateNameMismatch)) != 0)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(anchor);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
        };
        return handler;
    }
}
