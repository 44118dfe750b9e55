namespace FleetControl.Identity;

/// <summary>
/// Loads (or creates) the device CA and the server certificate before anything listens, so a bad CA
/// file stops start-up with its name, and says loudly when the development plaintext override is on.
/// Registered before the broker and Kestrel's endpoints are used.
/// </summary>
internal sealed class IdentityStartup(
    TransportSecurity security,
    CertificateAuthority authority,
    ILogger<IdentityStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!security.IsTlsEnabled)
        {
            Log.DevelopmentPlaintext(logger);
            return Task.CompletedTask;
        }

        authority.EnsureLoaded();
        authority.WriteRevocationList();
        Log.TlsOn(logger, authority.RootFile);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
