using System.CommandLine;
using System.Text.Json;

namespace FleetCtl;

/// <summary>
/// <c>fleetctl diagnostics</c>: ask a device for a diagnostics bundle (a collect-diagnostics command; the gateway
/// uploads a zip over gRPC), list a device's bundles and download one, its SHA-256 checked against FleetControl's.
/// </summary>
internal static class DiagnosticsCommands
{
    /// <summary>Response header with the stored bundle's SHA-256 (FleetControl's DiagnosticsApi).</summary>
    public const string Sha256Header = "X-Content-SHA256";

    public static Command Build(Func<Func<FleetClient, Output, ParseResult, CancellationToken, Task<int>>, Func<ParseResult, CancellationToken, Task<int>>> run)
    {
        var diagnostics = new Command("diagnostics", "Diagnostics bundles (logs, health, configuration) uploaded by devices");

        var device = new Argument<string>("device") { Description = "Device id" };
        var lines = new Option<int?>("--max-log-lines") { Description = "Newest log lines to include (default: the gateway's, 200)" };
        var wait = new Option<int>("--wait") { Description = "Seconds to wait for the upload (at most 300; 0 = do not wait)", DefaultValueFactory = _ => 120 };
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Save the bundle here once uploaded" };
        var collect = new Command("collect", "Ask the device for a bundle; with --wait, wait until it is stored (exit 4 when the device failed)") { device, lines, wait, output };
        collect.SetAction(run(async (api, print, parse, ct) =>
        {
            var id = parse.GetValue(device)!;
            var sent = await api.PostAsync($"/api/devices/{Uri.EscapeDataString(id)}/diagnostics", new { maxLogLines = parse.GetValue(lines) }, ct).ConfigureAwait(false);
            var commandId = sent.GetProperty("commandId").GetString()!;
            if (parse.GetValue(wait) <= 0)
            {
                print.Fields(sent, "commandId", "deviceId", "kind", "state");
                return ExitCodes.Ok;
            }

            var done = await api.GetAsync($"/api/commands/{Uri.EscapeDataString(commandId)}?waitSeconds={Math.Clamp(parse.GetValue(wait), 1, 300)}", ct).ConfigureAwait(false);
            print.Fields(done, "commandId", "deviceId", "state", "reason", "details.bundleId", "details.size", "details.sha256");
            switch (done.GetProperty("state").GetString())
            {
                case "succeeded":
                    return parse.GetValue(output) is { } file
                        ? await SaveAsync(api, print, id, commandId, file, ct).ConfigureAwait(false)
                        : ExitCodes.Ok;
                case "failed" or "expired":
                    return ExitCodes.CommandFailed;
                default:
                    return ExitCodes.Timeout;
            }
        }));

        var listDevice = new Argument<string>("device") { Description = "Device id" };
        var list = new Command("list", "A device's stored bundles, newest first") { listDevice };
        list.SetAction(run(async (api, print, parse, ct) =>
        {
            print.Table(await api.GetAsync($"/api/devices/{Uri.EscapeDataString(parse.GetValue(listDevice)!)}/diagnostics", ct).ConfigureAwait(false),
                "bundleId", "size", "sha256", "collectedAt", "storedAt");
            return ExitCodes.Ok;
        }));

        var getDevice = new Argument<string>("device") { Description = "Device id" };
        var bundle = new Argument<string>("bundle-id") { Description = "Bundle id (the collect-diagnostics command's id)" };
        var getOutput = new Option<FileInfo?>("--output", "-o") { Description = "Where to save it (default diagnostics-DEVICE-BUNDLE.zip here)" };
        var get = new Command("get", "Download a bundle; exit 6 when its SHA-256 does not match FleetControl's") { getDevice, bundle, getOutput };
        get.SetAction(run((api, print, parse, ct) =>
        {
            var id = parse.GetValue(getDevice)!;
            var bundleId = parse.GetValue(bundle)!;
            var file = parse.GetValue(getOutput) ?? new FileInfo($"diagnostics-{id}-{bundleId}.zip");
            return SaveAsync(api, print, id, bundleId, file, ct);
        }));

        diagnostics.Subcommands.Add(collect);
        diagnostics.Subcommands.Add(list);
        diagnostics.Subcommands.Add(get);
        return diagnostics;
    }

    private static async Task<int> SaveAsync(FleetClient api, Output print, string device, string bundleId, FileInfo file, CancellationToken ct)
    {
        var (actual, declared, size) = await api.DownloadAsync(
            $"/api/devices/{Uri.EscapeDataString(device)}/diagnostics/{Uri.EscapeDataString(bundleId)}", file.FullName, Sha256Header, ct).ConfigureAwait(false);
        var ok = string.Equals(actual, declared, StringComparison.OrdinalIgnoreCase);
        using var saved = JsonDocument.Parse(JsonSerializer.Serialize(new { file = file.FullName, size, sha256 = actual, verified = ok }));
        print.Fields(saved.RootElement, "file", "size", "sha256", "verified");
        return ok ? ExitCodes.Ok : ExitCodes.VerificationFailed;
    }
}
