using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using EdgeGateway.Contracts.Security;
using EdgeGateway.Contracts.V1;
using FleetControl.Identity;
using FleetControl.Tests.Infrastructure;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Formatter;

namespace FleetControl.Tests.Identity;

/// <summary>
/// A device enrolled the way a gateway does it: an engineer's token over REST, then a CSR with that token
/// over gRPC (TLS, no client certificate yet). Holds the certificate with its key, and builds MQTT and gRPC
/// clients that present it (or not, or another one).
/// </summary>
internal sealed class EnrolledDevice : IDisposable
{
    private EnrolledDevice(string deviceId, X509Certificate2 certificate)
    {
        DeviceId = deviceId;
        Certificate = certificate;
    }

    public string DeviceId { get; }

    public X509Certificate2 Certificate { get; }

    public static async Task<EnrolledDevice> EnrolAsync(FleetControlInstance fleet, string deviceId)
    {
        var token = await RequestTokenAsync(fleet, deviceId);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var reply = await EnrolAsync(fleet, deviceId, token, key);
        using var issued = X509Certificate2.CreateFromPem(reply.CertificatePem);
        return new EnrolledDevice(deviceId, DeviceCertificates.WithPrivateKey(issued, key));
    }

    /// <summary>POST /api/devices/{id}/enrolment as an engineer would; the one-time token.</summary>
    public static async Task<string> RequestTokenAsync(FleetControlInstance fleet, string deviceId)
    {
        using var response = await fleet.Http.PostAsync($"/api/devices/{deviceId}/enrolment", null, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        return body.GetProperty("token").GetString()!;
    }

    public static async Task<CertificateReply> EnrolAsync(FleetControlInstance fleet, string deviceId, string token, ECDsa key)
    {
        using var channel = Channel(fleet, null);
        return await new DeviceIdentity.DeviceIdentityClient(channel).EnrolAsync(
            new EnrolRequest { DeviceId = deviceId, Token = token, CsrPem = DeviceCertificates.CreateSigningRequestPem(deviceId, key) },
            cancellationToken: TestContext.Current.CancellationToken).ResponseAsync.WaitAsync(Eventually.DefaultTimeout, TestContext.Current.CancellationToken);
    }

    /// <summary>A gRPC channel to FleetControl that trusts its CA and presents <paramref name="certificate"/> (none if null).</summary>
    public static GrpcChannel Channel(FleetControlInstance fleet, X509Certificate2? certificate, Uri? address = null)
    {
        var root = Root(fleet);
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, errors) => ServerCertificateCheck.IsTrusted(presented, errors, root);
        if (certificate is not null)
        {
            handler.SslOptions.ClientCertificates = [certificate];
        }

        return GrpcChannel.ForAddress(address ?? fleet.GrpcUri, new GrpcChannelOptions { HttpHandler = handler });
    }

    public GrpcChannel Channel(FleetControlInstance fleet) => Channel(fleet, Certificate);

    /// <summary>MQTT 5 options over TLS with this device's certificate and the given client id (its own by default).</summary>
    public MqttClientOptions MqttOptions(FleetControlInstance fleet, int port, string? clientId = null) =>
        MqttOptions(Root(fleet), port, clientId ?? DeviceId, Certificate);

    public static MqttClientOptions MqttOptions(X509Certificate2 root, int port, string clientId, X509Certificate2? certificate)
    {
        return new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithClientId(clientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(true)
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithTlsOptions(tls =>
            {
                tls.UseTls().WithCertificateValidationHandler(e => ServerCertificateCheck.IsTrusted(e.Certificate, e.SslPolicyErrors, root));
                if (certificate is not null)
                {
                    tls.WithClientCertificates([certificate]);
                }
            })
            .Build();
    }

    public static X509Certificate2 Root(FleetControlInstance fleet) => fleet.Services.GetRequiredService<CertificateAuthority>().Root;

    /// <summary>Connects; (true, "") or (false, why) — a refusal may come as a CONNACK code or as a failed handshake.</summary>
    public static async Task<(bool Connected, string Reason)> TryConnectAsync(IMqttClient client, MqttClientOptions options)
    {
        try
        {
            var result = await client.ConnectAsync(options, TestContext.Current.CancellationToken).WaitAsync(Eventually.DefaultTimeout, TestContext.Current.CancellationToken);
            return result.ResultCode == MqttClientConnectResultCode.Success ? (true, string.Empty) : (false, result.ResultCode.ToString());
        }
        catch (Exception ex) when (ex is not TimeoutException)
        {
            return (false, ex.GetType().Name + ": " + ex.Message);
        }
    }

    public void Dispose() => Certificate.Dispose();
}
