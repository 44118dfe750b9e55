using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using EdgeGateway.Contracts;
using EdgeGateway.Contracts.V1;
using FleetControl.Mqtt;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace FleetControl.Identity;

/// <summary>
/// gRPC DeviceIdentity: <c>Enrol</c> turns a one-time token and a CSR into a device certificate;
/// <c>Renew</c> issues a fresh one to a device that proves itself with its current certificate.
/// </summary>
internal sealed class DeviceIdentityService(
    CertificateAuthority authority,
    EnrolmentRegistry registry,
    TransportSecurity security,
    IOptions<MqttOptions> mqtt,
    ILogger<DeviceIdentityService> logger) : DeviceIdentity.DeviceIdentityBase
{
    public override Task<CertificateReply> Enrol(EnrolRequest request, ServerCallContext context)
    {
        EnsureTls();
        if (!Topics.IsValidDeviceId(request.DeviceId) || IsReserved(request.DeviceId))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"'{request.DeviceId}' is not a device id that can be enrolled"));
        }

        if (!registry.TryRedeem(request.DeviceId, request.Token, KeyFingerprint(request.CsrPem), out var reason))
        {
            Log.EnrolmentRefused(logger, request.DeviceId, context.Peer, reason);
            throw new RpcException(new Status(StatusCode.PermissionDenied, reason));
        }

        var reply = Issue(request.DeviceId, request.CsrPem);
        Log.Enrolled(logger, request.DeviceId, context.Peer);
        return Task.FromResult(reply);
    }

    public override Task<CertificateReply> Renew(RenewRequest request, ServerCallContext context)
    {
        EnsureTls();
        var deviceId = DeviceCaller.IdOf(context)!; // the interceptor checked the certificate, revocation included
        if (IsReserved(deviceId))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"{deviceId} is not a device"));
        }

        var reply = Issue(deviceId, request.CsrPem);
        Log.Renewed(logger, deviceId, context.Peer);
        return Task.FromResult(reply);
    }

    /// <summary>SHA-256 of the CSR's public key; a CSR without a good signature is refused before the token is touched.</summary>
    private static string KeyFingerprint(string csrPem)
    {
        try
        {
            var request = CertificateRequest.LoadSigningRequestPem(csrPem, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.Default);
            return Convert.ToHexString(SHA256.HashData(request.PublicKey.ExportSubjectPublicKeyInfo()));
        }
        catch (CryptographicException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"the certificate signing request is not valid PKCS#10 with a good signature: {ex.Message}"));
        }
    }

    private CertificateReply Issue(string deviceId, string csrPem)
    {
        try
        {
            using var certificate = authority.IssueDeviceCertificate(deviceId, csrPem);
            return new CertificateReply { CertificatePem = certificate.ExportCertificatePem(), CaCertificatePem = authority.RootPem };
        }
        catch (ArgumentException ex)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, ex.Message));
        }
    }

    private void EnsureTls()
    {
        if (!security.IsTlsEnabled)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, "enrolment needs TLS; FleetControl runs with the development plaintext override"));
        }
    }

    /// <summary>FleetControl's own client names are never device ids.</summary>
    private bool IsReserved(string deviceId) =>
        mqtt.Value.IsIngestClientId(deviceId) || string.Equals(deviceId, VaultCustodySigner.SignerName, StringComparison.Ordinal);
}
