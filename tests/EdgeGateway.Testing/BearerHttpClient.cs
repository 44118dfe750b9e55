using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;

namespace EdgeGateway.Testing;

/// <summary>HTTP clients for FleetControl's REST API as a signed-in engineer (an API token) or as nobody.</summary>
public static class BearerHttpClient
{
    /// <summary>
    /// A client for <paramref name="baseAddress"/> that sends <paramref name="token"/> as a bearer token (none when null).
    /// Over https it trusts only <paramref name="trustedRoot"/> (FleetControl's CA), checking the chain and the host name.
    /// </summary>
    public static HttpClient Create(Uri baseAddress, string? token, TimeSpan? timeout = null, X509Certificate2? trustedRoot = null)
    {
        var client = new HttpClient(TrustingHandler(trustedRoot)) { BaseAddress = baseAddress, Timeout = timeout ?? Eventually.DefaultTimeout };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    /// <summary>A handler that accepts a server certificate only when it chains to <paramref name="trustedRoot"/> (the system store when null).</summary>
    public static SocketsHttpHandler TrustingHandler(X509Certificate2? trustedRoot)
    {
        var handler = new SocketsHttpHandler();
        if (trustedRoot is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null || (errors & (System.Net.Security.SslPolicyErrors.RemoteCertificateNotAvailable | System.Net.Security.SslPolicyErrors.RemoteCertificateNameMismatch)) != 0)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(trustedRoot);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
            };
        }

        return handler;
    }
}
