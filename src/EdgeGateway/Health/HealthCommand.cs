using EdgeGateway.Hosting;
using Microsoft.Extensions.Configuration;

namespace EdgeGateway.Health;

/// <summary><c>health [--data DIR]</c>: prints the running gateway's latest local health file.</summary>
internal static class HealthCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        string? dataDirectory = null;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--data" && i + 1 < args.Length)
            {
                dataDirectory = args[++i];
            }
            else
            {
                await error.WriteLineAsync($"health: unexpected argument '{args[i]}'. Usage: health [--data DIR]").ConfigureAwait(false);
                return 2;
            }
        }

        // Same sources as the service: appsettings.json, the role profile over it, environment variables.
        dataDirectory ??= LoadConfiguration()[$"{GatewayOptions.SectionName}:{nameof(GatewayOptions.DataDirectory)}"];
        if (string.IsNullOrWhiteSpace(dataDirectory))
        {
            dataDirectory = new GatewayOptions().DataDirectory;
        }

        var path = HealthFile.PathIn(dataDirectory);
        if (!File.Exists(path))
        {
            await error.WriteLineAsync(
                $"health: no health file at {path}. Is the gateway running with Gateway:DataDirectory = {dataDirectory}? " +
                "Point at its data directory with --data DIR.").ConfigureAwait(false);
            return 1;
        }

        var text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        await output.WriteAsync(text).ConfigureAwait(false);
        return 0;
    }

    private static IConfiguration LoadConfiguration()
    {
        var directory = Directory.GetCurrentDirectory();
        var baseConfiguration = new ConfigurationBuilder()
            .SetBasePath(directory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .Build();
        var role = baseConfiguration[$"{GatewayOptions.SectionName}:{nameof(GatewayOptions.Role)}"];
        var builder = new ConfigurationBuilder()
            .SetBasePath(directory)
            .AddJsonFile("appsettings.json", optional: true);
        if (!string.IsNullOrWhiteSpace(role) && role.All(char.IsAsciiLetter))
        {
            builder.AddJsonFile($"appsettings.{role.ToLowerInvariant()}.json", optional: true);
        }

        return builder.AddEnvironmentVariables().Build();
    }
}
