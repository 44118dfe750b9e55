using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Health;
using EdgeGateway.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Commands;

/// <summary>
/// collect-diagnostics: a JSON bundle of the latest health report, the effective configuration (secrets
/// redacted) and the newest log lines, returned in the result (detail <c>bundle</c>, with its SHA-256; the
/// result file under <c>{DataDirectory}/commands/</c> keeps it), trimmed to
/// <see cref="MaxBundleBytes"/> by dropping the oldest log lines first.
/// </summary>
internal sealed class CollectDiagnosticsHandler(
    IConfiguration configuration,
    RecentLogProvider logs,
    IOptions<GatewayOptions> gateway,
    TimeProvider time) : ICommandHandler
{
    /// <summary>Largest bundle sent in a result (an MQTT publish on a narrow bearer).</summary>
    public const int MaxBundleBytes = 192 * 1024;

    /// <summary>Log lines when the command does not say.</summary>
    public const int DefaultLogLines = 200;

    private static readonly string[] SecretWords = ["password", "secret", "token", "privatekey", "apikey"];

    public Command.BodyOneofCase Kind => Command.BodyOneofCase.CollectDiagnostics;

    public async Task<CommandHandlerResult> HandleAsync(Command command, CancellationToken cancellationToken)
    {
        var dataDirectory = Path.GetFullPath(gateway.Value.DataDirectory);
        var healthPath = HealthFile.PathIn(dataDirectory);
        JsonNode? health = null;
        if (File.Exists(healthPath))
        {
            try
            {
                health = JsonNode.Parse(await File.ReadAllTextAsync(healthPath, cancellationToken).ConfigureAwait(false));
            }
            catch (JsonException ex)
            {
                health = JsonValue.Create("unreadable: " + ex.Message);
            }
        }

        var settings = new JsonObject();
        foreach (var (key, value) in configuration.AsEnumerable().Where(kv => kv.Value is not null).OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            settings[key] = IsSecret(key) ? "(redacted)" : value;
        }

        var requested = command.CollectDiagnostics.MaxLogLines is > 0 and var n ? (int)Math.Min(n, RecentLogProvider.Capacity) : DefaultLogLines;
        var lines = logs.Tail(requested).ToList();
        string json;
        while (true)
        {
            var bundle = new JsonObject
            {
                ["deviceId"] = gateway.Value.DeviceId,
                ["softwareVersion"] = GatewayVersion.Current,
                ["collectedAt"] = time.GetUtcNow(),
                ["health"] = health?.DeepClone(),
                ["configuration"] = settings.DeepClone(),
                ["logs"] = new JsonArray([.. lines.Select(l => (JsonNode?)JsonValue.Create(l))]),
            };
            json = bundle.ToJsonString();
            if (Encoding.UTF8.GetByteCount(json) <= MaxBundleBytes || lines.Count == 0)
            {
                break;
            }

            lines.RemoveRange(0, Math.Max(1, lines.Count / 4));
        }

        return CommandHandlerResult.Success(new Dictionary<string, string>
        {
            ["bundle"] = json,
            ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json))),
            ["logLines"] = lines.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
    }

    private static bool IsSecret(string key) =>
        SecretWords.Any(word => key.Replace("_", string.Empty, StringComparison.Ordinal).Contains(word, StringComparison.OrdinalIgnoreCase));
}
