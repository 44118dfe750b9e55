namespace FleetControl.Evidence;

/// <summary>
/// <c>evidence verify EVIDENCE_ID [--vault DIR]</c>: exit 0 with a one-line OK summary, 1 with what
/// broke, 2 on bad usage. Without --vault the directory comes from Evidence:VaultDirectory
/// (appsettings.json, environment) or defaults to "vault".
/// </summary>
internal static class EvidenceVerifyCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        string? id = null;
        string? vault = null;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--vault" && i + 1 < args.Length)
            {
                vault = args[++i];
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
            await error.WriteLineAsync("usage: FleetControl evidence verify EVIDENCE_ID [--vault DIR]").ConfigureAwait(false);
            return 2;
        }

        vault ??= new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .Build()[$"{EvidenceVaultOptions.SectionName}:{nameof(EvidenceVaultOptions.VaultDirectory)}"] ?? "vault";

        var result = await EvidenceVerifier.VerifyAsync(vault, id, cancellationToken).ConfigureAwait(false);
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
