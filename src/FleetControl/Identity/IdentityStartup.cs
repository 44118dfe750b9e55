using FleetControl.Hosting;
using FleetControl.Store;
using Microsoft.Extensions.Options;

namespace FleetControl.Identity;

/// <summary>
/// Loads (or creates) the device CA and the server certificate before anything listens, so a bad CA
/// file stops start-up with its name, and says loudly when the development plaintext override is on.
/// Registered before the broker and Kestrel's endpoints are used.
/// </summary>
internal sealed class IdentityStartup(
    TransportSecurity security,
    CertificateAuthority authority,
    IOptions<IdentityOptions> options,
    IOptions<StoreOptions> store,
    EnrolmentRegistry registry,
    IOptions<FleetControlOptions> fleet,
    TimeProvider time,
    ILogger<IdentityStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (registry is PostgreSqlEnrolmentRegistry shared)
        {
            var file = new FileEnrolmentRegistry(fleet, time);
            if (shared.Import(file) is > 0 and var count)
            {
                Log.RegistryImported(logger, count, file.FilePath);
            }
        }

        if (!security.IsTlsEnabled)
        {
            Log.DevelopmentPlaintext(logger);
            return Task.CompletedTask;
        }

        RequireSharedCa(options.Value, store.Value);

        authority.EnsureLoaded();
        authority.WriteRevocationList();
        Log.TlsOn(logger, authority.RootFile);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// On the shared database every instance must issue and trust with one CA: a CA generated into each instance's
    /// data directory would make a device enrolled through one instance a stranger to the others, and issued certificates
    /// kept per instance would leave the custody entries one instance signs unverifiable on the others.
    /// </summary>
    /// <exception cref="InvalidOperationException">Store:Provider is PostgreSql and the CA files or the certificates directory are not configured.</exception>
    internal static void RequireSharedCa(IdentityOptions identity, StoreOptions store)
    {
        if (store.Provider != StoreProvider.PostgreSql)
        {
            return;
        }

        if (string.IsNullOrEmpty(identity.CaCertificateFile) || string.IsNullOrEmpty(identity.CaKeyFile))
        {
            throw new InvalidOperationException(
                "Identity configuration: with Store:Provider=PostgreSql every instance must use the same device CA; set "
                + "Identity:CaCertificateFile and Identity:CaKeyFile to the same CA certificate and key (PEM, key mode 0600) on every instance.");
        }

        if (string.IsNullOrEmpty(identity.CertificatesDirectory))
        {
            throw new InvalidOperationException(
                "Identity configuration: with Store:Provider=PostgreSql set Identity:CertificatesDirectory to the same shared directory on every "
                + "instance (e.g. beside the shared vault), so custody entries signed through one instance verify on all.");
        }
    }
}
