using System.Security.Cryptography.X509Certificates;
using EdgeGateway.Contracts.Security;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Hosting;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Security;

/// <summary>
/// Gets this gateway its certificate and keeps it fresh. On first start it creates the key pair (in the
/// <see cref="IDeviceKeyStore"/>), sends a CSR with the engineer's one-time token to FleetControl's
/// <c>GatewayIdentity.Enrol</c> over TLS, and stores the certificate beside the key. Afterwards it sleeps
/// until the renewal time (one timer, nothing polls) and renews over mutual TLS with the same key.
/// Failures never stop the gateway: it keeps buffering and tries again after <see cref="SecurityOptions.RetryInterval"/>.
/// </summary>
internal sealed class DeviceEnrolmentService(
    GatewayIdentity identity,
    IOptions<SecurityOptions> options,
    IOptions<GatewayOptions> gateway,
    TimeProvider time,
    ILogger<DeviceEnrolmentService> logger) : BackgroundService
{
    /// <summary>A Task.Delay with a TimeProvider must stay below about 49 days; wake at least daily and re-plan.</summary>
    private static readonly TimeSpan LongestSleep = TimeSpan.FromDays(1);

    private string? _unsavedPem; // an issued certificate not yet on disk
    private bool _saveFailed;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (identity.IsPlaintext)
        {
            Log.DevelopmentPlaintext(logger);
            return;
        }

        var o = options.Value;
        try
        {
            using var channel = GrpcChannel.ForAddress(gateway.Value.FleetControlUrl, new GrpcChannelOptions { HttpHandler = identity.CreateHttpHandler(waitForCertificate: false) });
            var client = new DeviceIdentity.DeviceIdentityClient(channel);
            var stored = LoadStored();
            if (stored is not null && stored.NotAfter > time.GetUtcNow())
            {
                identity.Use(stored);
                Log.CertificateLoaded(logger, identity.DeviceId, stored.SerialNumber, stored.NotAfter, identity.Keys.Description);
            }
            else
            {
                while (!await TryEnrolAsync(client, stoppingToken).ConfigureAwait(false))
                {
                    await Task.Delay(o.RetryInterval, time, stoppingToken).ConfigureAwait(false);
                }
            }

            while (!stoppingToken.IsCancellationRequested)
            {
                var current = identity.Current!;
                var renewAt = RenewalTime(current, o.RenewBefore);
                var wait = renewAt - time.GetUtcNow();
                if (_unsavedPem is not null && !TrySave())
                {
                    wait = wait < o.RetryInterval ? wait : o.RetryInterval; // a full disk: try again soon
                }

                if (wait > TimeSpan.Zero)
                {
                    Log.RenewalScheduled(logger, renewAt);
                    await Task.Delay(wait < LongestSleep ? wait : LongestSleep, time, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                if (!await TryRenewAsync(client, current, stoppingToken).ConfigureAwait(false))
                {
                    await Task.Delay(o.RetryInterval, time, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Gateway stopping.
        }
    }

    /// <summary>When to renew: <paramref name="renewBefore"/> before the end, or when two thirds of the life are gone, whichever is first.</summary>
    internal static DateTimeOffset RenewalTime(X509Certificate2 certificate, TimeSpan renewBefore)
    {
        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime());
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
        var twoThirds = notBefore + (notAfter - notBefore) * 2 / 3;
        var early = notAfter - renewBefore;
        return early < twoThirds ? early : twoThirds;
    }

    private async Task<bool> TryEnrolAsync(DeviceIdentity.DeviceIdentityClient client, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var token = ReadToken(o);
        if (token is null)
        {
            Log.EnrolmentFailed(logger, "no enrolment token: ask an engineer for one (fleetctl devices enrol " + identity.DeviceId
                + ") and give it as Security:EnrolmentTokenFile or Security__EnrolmentToken", o.RetryInterval);
            return false;
        }

        Log.Enrolling(logger, identity.DeviceId, gateway.Value.FleetControlUrl, identity.Keys.Description);
        try
        {
            var key = identity.Keys.GetOrCreateKey();
            var reply = await client.EnrolAsync(
                new EnrolRequest { DeviceId = identity.DeviceId, Token = token, CsrPem = DeviceCertificates.CreateSigningRequestPem(identity.DeviceId, key) },
                deadline: time.GetUtcNow().UtcDateTime.AddSeconds(30), cancellationToken: cancellationToken).ResponseAsync.ConfigureAwait(false);
            var certificate = Store(reply.CertificatePem);
            identity.Use(certificate);
            Log.Enrolled(logger, certificate.SerialNumber, certificate.NotAfter);
            return true;
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            Log.EnrolmentFailed(logger, $"{ex.StatusCode}: {ex.Status.Detail}", o.RetryInterval);
            return false;
        }
        catch (IOException ex)
        {
            // The key could not be created (a full disk): the token is not spent yet, so just try again.
            Log.EnrolmentFailed(logger, ex.Message, o.RetryInterval);
            return false;
        }
    }

    private async Task<bool> TryRenewAsync(DeviceIdentity.DeviceIdentityClient client, X509Certificate2 current, CancellationToken cancellationToken)
    {
        try
        {
            var key = identity.Keys.GetOrCreateKey();
            var reply = await client.RenewAsync(
                new RenewRequest { CsrPem = DeviceCertificates.CreateSigningRequestPem(identity.DeviceId, key) },
                deadline: time.GetUtcNow().UtcDateTime.AddSeconds(30), cancellationToken: cancellationToken).ResponseAsync.ConfigureAwait(false);
            var certificate = Store(reply.CertificatePem);
            identity.Use(certificate);
            Log.Renewed(logger, certificate.SerialNumber, certificate.NotAfter);
            return true;
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            Log.RenewalFailed(logger, $"{ex.StatusCode}: {ex.Status.Detail}", current.NotAfter, options.Value.RetryInterval);
            return false;
        }
    }

    /// <summary>Checks the issued certificate belongs to our key and id, writes it, and returns it with the key attached.</summary>
    private X509Certificate2 Store(string pem)
    {
        using var issued = X509Certificate2.CreateFromPem(pem);
        if (DeviceCertificates.CommonName(issued) != identity.DeviceId)
        {
            throw new RpcException(new Status(StatusCode.Internal, $"FleetControl issued a certificate for '{DeviceCertificates.CommonName(issued)}', not {identity.DeviceId}"));
        }

        var withKey = Attach(issued);
        _unsavedPem = issued.ExportCertificatePem();
        TrySave();
        return withKey;
    }

    /// <summary>
    /// Writes the issued certificate. It cannot be issued twice (the enrolment token is spent), so a write that
    /// fails (a full disk) must not lose it: it stays in memory, in use, and the write is retried.
    /// </summary>
    private bool TrySave()
    {
        try
        {
            PrivateFile.WritePublicText(identity.CertificatePath, _unsavedPem!);
            if (_saveFailed)
            {
                Log.CertificateSaved(logger, identity.CertificatePath);
            }

            _unsavedPem = null;
            _saveFailed = false;
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            if (!_saveFailed)
            {
                Log.CertificateNotSaved(logger, identity.CertificatePath, options.Value.RetryInterval, ex);
            }

            _saveFailed = true;
            return false;
        }
    }

    private X509Certificate2? LoadStored()
    {
        if (!File.Exists(identity.CertificatePath))
        {
            return null;
        }

        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(identity.CertificatePath));
        return Attach(certificate);
    }

    private X509Certificate2 Attach(X509Certificate2 certificate) => DeviceCertificates.WithPrivateKey(certificate, identity.Keys.GetOrCreateKey());

    private static string? ReadToken(SecurityOptions o)
    {
        if (!string.IsNullOrWhiteSpace(o.EnrolmentToken))
        {
            return o.EnrolmentToken.Trim();
        }

        if (o.EnrolmentTokenFile is { Length: > 0 } file && File.Exists(file))
        {
            var line = File.ReadLines(file).FirstOrDefault()?.Trim();
            return string.IsNullOrEmpty(line) ? null : line;
        }

        return null;
    }
}
