using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace FleetControl.Identity;

/// <summary>
/// TLS on the REST / web console endpoint (HTTP/1.1, TLS 1.2+, no client certificate: engineers sign in). The
/// certificate is the force's own web certificate when one is configured (<c>FleetControl:Tls:CertificatePath</c>
/// and <c>FleetControl:Tls:KeyPath</c>, PEM, so browsers trust it through the force's PKI), otherwise the server
/// certificate FleetControl's CA issues to itself (the one gateways see on gRPC; clients trust <c>ca.crt</c>).
/// Cleartext only under the development override <c>Identity:DevelopmentPlaintext</c>.
/// </summary>
internal static class RestTls
{
    /// <summary>The PEM certificate of the REST endpoint (optional).</summary>
    public const string CertificateSetting = "FleetControl:Tls:CertificatePath";

    /// <summary>The PEM private key of <see cref="CertificateSetting"/>.</summary>
    public const string KeySetting = "FleetControl:Tls:KeyPath";

    /// <summary>The REST endpoint's certificate: the configured one, or the CA-issued server certificate.</summary>
    public static X509Certificate2 Certificate(IConfiguration configuration, CertificateAuthority authority)
    {
        var certificate = configuration[CertificateSetting];
        if (string.IsNullOrWhiteSpace(certificate))
        {
            return authority.ServerCertificate;
        }

        var key = configuration[KeySetting];
        if (string.IsNullOrWhiteSpace(key))
        {
            throw new InvalidOperationException($"{CertificateSetting} is set but {KeySetting} is not: give the certificate's private key (PEM).");
        }

        using var pem = X509Certificate2.CreateFromPemFile(certificate, key);
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null); // a persisted key, as SslStream wants on every platform
    }

    /// <summary>Serves <paramref name="listen"/> over TLS with <paramref name="certificate"/>.</summary>
    public static void Use(ListenOptions listen, X509Certificate2 certificate) =>
        listen.UseHttps(https =>
        {
            https.ServerCertificate = certificate;
            https.SslProtocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13;
            https.ClientCertificateMode = Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.NoCertificate;
        });
}
