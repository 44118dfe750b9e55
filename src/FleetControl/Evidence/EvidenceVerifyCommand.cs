using FleetControl.Store;
using Npgsql;

namespace FleetControl.Evidence;

/// <summary>
/// <c>evidence verify EVIDENCE_ID [--vault DIR] [--identity DIR] [--accept-unsigned]</c>: exit 0 with a one-line
/// OK summary naming who signed the custody entries, 1 with what broke, 2 on bad usage. Without --vault the
/// directory comes from Evidence:VaultDirectory (appsettings.json, environment) or defaults to "vault". Signatures
/// are checked against the device CA's issued certificates in the identity directory: --identity, else the
/// <c>identity</c> folder beside the vault when there is one, else <c>{FleetControl:DataDirectory}/identity</c>;
/// the root is Identity:CaCertificateFile and the certificates Identity:CertificatesDirectory when configured, and
/// with Store:Provider=PostgreSql the revocations come from the shared database (Store:ConnectionString). --accept-unsigned lets unsigned entries (chains written
/// before signing, or under the development plaintext override) pass; they are still named in the summary.
/// </summary>
internal static class EvidenceVerifyCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        string? id = null;
        string? vault = null;
        string? identity = null;
        var acceptUnsigned = false;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--vault" && i + 1 < args.Length)
            {
                vault = args[++i];
            }
            else if (args[i] == "--identity" && i + 1 < args.Length)
            {
                identity = args[++i];
            }
            else if (args[i] == "--accept-unsigned")
            {
                acceptUnsigned = true;
            }
            else if (id is null && !args[i].StartsWith("--", StringComparison.Ordinal))
            {
                id = args[i];
            }
            else
            {
                await error.WriteLineAsync($"unknown argument '{args[i]}'").ConfigureAwait(false);
                id = null;
                break;
            }
        }

        if (id is null)
        {
            await error.WriteLineAsync("usage: FleetControl evidence verify EVIDENCE_ID [--vault DIR] [--identity DIR] [--accept-unsigned]").ConfigureAwait(false);
            return 2;
        }

        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .Build();
        vault ??= configuration[$"{EvidenceVaultOptions.SectionName}:{nameof(EvidenceVaultOptions.VaultDirectory)}"] ?? "vault";
        var besideVault = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(vault)) ?? ".", "identity");
        identity ??= Directory.Exists(besideVault) || configuration["FleetControl:DataDirectory"] is not { Length: > 0 } data
            ? besideVault
            : Path.Combine(data, "identity");
        var identitySection = configuration.GetSection(Identity.IdentityOptions.SectionName);
        var store = configuration.GetSection(StoreOptions.SectionName);
        await using var shared = store.GetValue<StoreProvider?>(nameof(StoreOptions.Provider)) == StoreProvider.PostgreSql
            && store[nameof(StoreOptions.ConnectionString)] is { Length: > 0 } connectionString
            ? NpgsqlDataSource.Create(connectionString)
            : null; // the shared database holds the revocations of every instance
        var trust = Identity.CustodyTrust.FromDirectory(
            identity,
            identitySection[nameof(Identity.IdentityOptions.CaCertificateFile)],
            acceptUnsigned,
            identitySection[nameof(Identity.IdentityOptions.CertificatesDirectory)],
            shared is null ? null : new Identity.PostgreSqlEnrolmentRegistry(shared, TimeProvider.System));

        var result = await EvidenceVerifier.VerifyAsync(vault, id, trust, cancellationToken).ConfigureAwait(false);
        if (result.Ok)
        {
            await output.WriteLineAsync(result.Summary).ConfigureAwait(false);
            return 0;
        }

        await error.WriteLineAsync($"FAILED {id}").ConfigureAwait(false);
        foreach (var problem in result.Problems)
        {
            await error.WriteLineAsync("  " + problem).ConfigureAwait(false);
        }

        return 1;
    }
}
