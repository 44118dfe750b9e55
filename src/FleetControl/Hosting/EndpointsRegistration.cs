using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace FleetControl.Hosting;

/// <summary>
/// Validated <c>FleetControl</c> options and the two Kestrel endpoints: REST and the web console on HTTP/1.1 over TLS
/// (<c>FleetControl:HttpPort</c>, <see cref="Identity.RestTls"/>) and gRPC on HTTP/2 with mutual TLS
/// (<c>FleetControl:GrpcPort</c>); both cleartext only under the development override <c>Identity:DevelopmentPlaintext</c>.
/// </summary>
internal static class EndpointsRegistration
{
    public static IServiceCollection AddFleetControlEndpoints(this IServiceCollection services)
    {
        services.AddOptions<FleetControlOptions>()
            .BindConfiguration(FleetControlOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<FleetEndpoints>();
        services.AddOptions<KestrelServerOptions>()
            .Configure<IOptions<FleetControlOptions>, FleetEndpoints, Identity.TransportSecurity, Identity.CertificateAuthority, IConfiguration>((kestrel, options, endpoints, security, authority, configuration) =>
            {
                var fleet = options.Value;
                var address = IPAddress.Parse(fleet.BindAddress);
                kestrel.Listen(address, fleet.HttpPort, listen =>
                {
                    listen.Protocols = HttpProtocols.Http1;
                    endpoints.Rest = listen;
                    endpoints.RestTls = security.IsTlsEnabled;
                    if (security.IsTlsEnabled)
                    {
                        Identity.RestTls.Use(listen, Identity.RestTls.Certificate(configuration, authority));
                    }
                });
                kestrel.Listen(address, fleet.GrpcPort, listen =>
                {
                    listen.Protocols = HttpProtocols.Http2;
                    endpoints.Grpc = listen;
                    endpoints.GrpcTls = security.IsTlsEnabled;
                    if (security.IsTlsEnabled)
                    {
                        UseDeviceTls(listen, authority);
                    }
                });
            });
        services.AddHostedService<StartupSummary>();
        return services;
    }

    /// <summary>
    /// TLS 1.2+ with the CA-issued server certificate. A client certificate is asked for but not required
    /// at the handshake, because a device enrols before it has one; every gRPC call except Enrol is then
    /// refused without a valid one (Identity/DeviceAuthenticationInterceptor). A certificate that is
    /// offered must pass the authority's check at the handshake already.
    /// </summary>
    private static void UseDeviceTls(ListenOptions listen, Identity.CertificateAuthority authority) =>
        listen.UseHttps(https =>
        {
            https.ServerCertificate = authority.ServerCertificate;
            https.SslProtocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13;
            https.ClientCertificateMode = Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.AllowCertificate;
            https.CheckCertificateRevocation = false; // the authority keeps its own revocation list
            https.ClientCertificateValidation = (certificate, _, _) =>
                authority.Validate(certificate as System.Security.Cryptography.X509Certificates.X509Certificate2
                    ?? System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(certificate.GetRawCertData())).IsValid;
        });
}
