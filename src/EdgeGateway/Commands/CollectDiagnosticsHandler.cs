using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Health;
using EdgeGateway.Hosting;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Commands;

/// <summary>
/// collect-diagnostics: a zip of <c>manifest.json</c>, the latest <c>health.json</c>, the effective
/// <c>configuration.json</c> (secrets redacted) and the newest log lines (<c>logs.txt</c>), uploaded to
/// FleetControl over gRPC (<see cref="IDiagnosticsUploader"/>). The result carries only the receipt:
/// <c>bundleId</c> (the command id), <c>sha256</c>, <c>size</c>, <c>logLines</c>. FleetControl refusing the
/// bundle (too large, damaged) fails the command with its reason.
/// </summary>
internal sealed class CollectDiagnosticsHandler(
    IConfiguration configuration,
    RecentLogProvider logs,
    IDiagnosticsUploader uploader,
    IOptions<GatewayOptions> gateway,
    TimeProvider time) : ICommandHandler
{
    /// <summary>Log lines when the command does not say.</summary>
    public const int DefaultLogLines = 200;

    private static readonly string[] SecretWords = ["password", "secret", "token", "privatekey", "apikey"];

    public Command.BodyOneofCase Kind => Command.BodyOneofCase.CollectDiagnostics;

    public async Task<CommandHandlerResult> HandleAsync(Command command, CancellationToken cancellationToken)
    {
        var requested = command.CollectDiagnostics.MaxLogLines is > 0 and var n ? (int)Math.Min(n, RecentLogProvider.Capacity) : DefaultLogLines;
        var lines = logs.Tail(requested);
        var collectedAt = time.GetUtcNow();
        var bundle = await BuildAsync(command.CommandId, lines, collectedAt, cancellationToken).ConfigureAwait(false);
        var sha = Convert.ToHexStringLower(SHA256.HashData(bundle));
        var header = new DiagnosticsBundleHeader
        {
            DeviceId = gateway.Value.DeviceId,
            CommandId = command.CommandId,
            Format = "zip",
            Size = (ulong)bundle.Length,
            Sha256 = sha,
            CollectedAt = Timestamp.FromDateTimeOffset(collectedAt),
        };

        DiagnosticsReceipt receipt;
        try
        {
            receipt = await uploader.UploadAsync(header, bundle, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return CommandHandlerResult.Failure($"FleetControl did not take the diagnostics bundle ({ex.StatusCode}): {ex.Status.Detail}");
        }

        if (!string.Equals(receipt.Sha256, sha, StringComparison.OrdinalIgnoreCase))
        {
            return CommandHandlerResult.Failure($"FleetControl stored a bundle hashing to {receipt.Sha256}, not {sha}");
        }

        return CommandHandlerResult.Success(new Dictionary<string, string>
        {
            ["bundleId"] = receipt.BundleId,
            ["sha256"] = sha,
            ["size"] = bundle.Length.ToString(CultureInfo.InvariantCulture),
            ["logLines"] = lines.Count.ToString(CultureInfo.InvariantCulture),
        });
    }

    /// <summary>The zip's bytes.</summary>
    internal async Task<byte[]> BuildAsync(string commandId, IReadOnlyList<string> lines, DateTimeOffset collectedAt, CancellationToken cancellationToken)
    {
        var dataDirectory = Path.GetFullPath(gateway.Value.DataDirectory);
        var healthPath = HealthFile.PathIn(dataDirectory);
        string health;
        try
        {
            health = File.Exists(healthPath) ? await File.ReadAllTextAsync(healthPath, cancellationToken).ConfigureAwait(false) : "null";
        }
        catch (IOException ex)
        {
            health = JsonValue.Create("unreadable: " + ex.Message).ToJsonString();
        }

        var settings = new JsonObject();
        foreach (var (key, value) in configuration.AsEnumerable().Where(kv => kv.Value is not null).OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            settings[key] = IsSecret(key) ? "(redacted)" : value;
        }

        var manifest = new JsonObject
        {
            ["bundleId"] = commandId,
            ["deviceId"] = gateway.Value.DeviceId,
            ["softwareVersion"] = GatewayVersion.Current,
            ["collectedAt"] = collectedAt,
            ["logLines"] = lines.Count,
            ["files"] = new JsonArray("health.json", "configuration.json", "logs.txt"),
        };

        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            Add(zip, "manifest.json", manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), collectedAt);
            Add(zip, "health.json", health, collectedAt);
            Add(zip, "configuration.json", settings.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), collectedAt);
            Add(zip, "logs.txt", string.Join('\n', lines) + (lines.Count > 0 ? "\n" : string.Empty), collectedAt);
        }

        return buffer.ToArray();
    }

    private static void Add(ZipArchive zip, string name, string text, DateTimeOffset at)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        entry.LastWriteTime = at;
        using var stream = entry.Open();
        stream.Write(Encoding.UTF8.GetBytes(text));
    }

    private static bool IsSecret(string key) =>
        SecretWords.Any(word => key.Replace("_", string.Empty, StringComparison.Ordinal).Contains(word, StringComparison.OrdinalIgnoreCase));
}
