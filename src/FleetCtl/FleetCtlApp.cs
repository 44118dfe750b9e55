using System.CommandLine;
using System.Text.Json;

namespace FleetCtl;

/// <summary>
/// The command tree. Every action talks to FleetControl's REST API only, prints a table (or <c>--json</c>)
/// and returns an <see cref="ExitCodes"/> value; wrong arguments exit 1 with System.CommandLine's message.
/// </summary>
internal static class FleetCtlApp
{
    /// <summary>Environment variable for the default <c>--url</c>.</summary>
    public const string UrlVariable = "FLEETCONTROL_URL";

    /// <summary>Environment variable holding an API token (or a JWT from the force's identity provider).</summary>
    public const string TokenVariable = "FLEETCONTROL_TOKEN";

    /// <summary>Environment variable naming a file whose first line is the token.</summary>
    public const string TokenFileVariable = "FLEETCONTROL_TOKEN_FILE";

    /// <summary>Environment variable for the default <c>--cacert</c>.</summary>
    public const string CaCertificateVariable = "FLEETCONTROL_CACERT";

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, HttpMessageHandler? handler = null, CancellationToken cancellationToken = default)
    {
        var url = new Option<string>("--url")
        {
            Description = $"FleetControl's REST address (default ${UrlVariable} or https://127.0.0.1:5080)",
            Recursive = true,
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(UrlVariable) is { Length: > 0 } u ? u : "https://127.0.0.1:5080",
        };
        var caCertificate = new Option<FileInfo?>("--cacert")
        {
            Description = $"Trust FleetControl's certificate only if it chains to this CA (PEM; FleetControl's {{DataDirectory}}/identity/ca.crt; default ${CaCertificateVariable}, else the system store)",
            Recursive = true,
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(CaCertificateVariable) is { Length: > 0 } f ? new FileInfo(f) : null,
        };
        var tokenFile = new Option<FileInfo>("--token-file")
        {
            Description = $"File whose first line is the bearer token (default ${TokenFileVariable}; or the token itself in ${TokenVariable})",
            Recursive = true,
        };
        var json = new Option<bool>("--json") { Description = "Print the API's JSON instead of a table", Recursive = true };
        var root = new RootCommand("fleetctl: FleetControl for scripts and terminals (devices, commands, configuration, alerts, evidence)");
        root.Options.Add(url);
        root.Options.Add(json);
        root.Options.Add(tokenFile);
        root.Options.Add(caCertificate);

        // Binds the shared options and turns FleetCtlException into its exit code.
        Func<ParseResult, CancellationToken, Task<int>> Run(Func<FleetClient, Output, ParseResult, CancellationToken, Task<int>> action) =>
            async (parse, ct) =>
            {
                if (!Uri.TryCreate(parse.GetValue(url), UriKind.Absolute, out var baseAddress) || baseAddress.Scheme is not ("http" or "https"))
                {
                    await stderr.WriteLineAsync($"fleetctl: --url '{parse.GetValue(url)}' is not an http(s) address").ConfigureAwait(false);
                    return ExitCodes.Usage;
                }

                System.Security.Cryptography.X509Certificates.X509Certificate2? anchor;
                try
                {
                    anchor = parse.GetValue(caCertificate) is { } ca ? System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(ca.FullName) : null;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
                {
                    await stderr.WriteLineAsync($"fleetctl: cannot read the CA certificate: {ex.Message}").ConfigureAwait(false);
                    return ExitCodes.Usage;
                }

                using var http = handler is not null ? new HttpClient(handler, disposeHandler: false)
                    : anchor is not null ? new HttpClient(TrustedServer.Handler(anchor)) : new HttpClient();
                http.BaseAddress = baseAddress;
                http.Timeout = Timeout.InfiniteTimeSpan; // waits are bounded by their own --timeout
                string? token;
                try
                {
                    token = await ReadTokenAsync(parse.GetValue(tokenFile), ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    await stderr.WriteLineAsync($"fleetctl: cannot read the token file: {ex.Message}").ConfigureAwait(false);
                    return ExitCodes.Usage;
                }

                if (token is not null)
                {
                    http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
                }
                try
                {
                    return await action(new FleetClient(http), new Output(stdout, parse.GetValue(json)), parse, ct).ConfigureAwait(false);
                }
                catch (FleetCtlException ex)
                {
                    await stderr.WriteLineAsync($"fleetctl: {ex.Message}").ConfigureAwait(false);
                    return ex.ExitCode;
                }
            };

        root.Subcommands.Add(Devices(Run));
        root.Subcommands.Add(Commands(Run));
        root.Subcommands.Add(Config(Run));
        root.Subcommands.Add(Alerts(Run));
        root.Subcommands.Add(Evidence(Run));
        root.Subcommands.Add(AnprCommands.Build(action => Run(action)));
        root.Subcommands.Add(DiagnosticsCommands.Build(action => Run(action)));
        root.Subcommands.Add(UpdateCommands.Build(action => Run(action)));
        return await root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The token: --token-file, else $FLEETCONTROL_TOKEN_FILE, else $FLEETCONTROL_TOKEN; null when none is given.</summary>
    private static async Task<string?> ReadTokenAsync(FileInfo? file, CancellationToken ct)
    {
        var path = file?.FullName ?? (Environment.GetEnvironmentVariable(TokenFileVariable) is { Length: > 0 } p ? p : null);
        if (path is not null)
        {
            var lines = await File.ReadAllLinesAsync(path, ct).ConfigureAwait(false);
            return lines.FirstOrDefault(l => l.Trim().Length > 0)?.Trim() ?? throw new IOException($"{path} is empty");
        }

        return Environment.GetEnvironmentVariable(TokenVariable) is { Length: > 0 } token ? token.Trim() : null;
    }

    private delegate Func<ParseResult, CancellationToken, Task<int>> Runner(Func<FleetClient, Output, ParseResult, CancellationToken, Task<int>> action);

    private static Command Devices(Runner run)
    {
        var devices = new Command("devices", "Devices FleetControl knows");
        var list = new Command("list", "Every device: role, online, last seen, version");
        list.SetAction(run(async (api, output, _, ct) =>
        {
            output.Table(await api.GetAsync("/api/devices", ct).ConfigureAwait(false), "deviceId", "role", "online", "lastSeen", "softwareVersion", "positionCount");
            return ExitCodes.Ok;
        }));
        var id = new Argument<string>("device") { Description = "Device id" };
        var show = new Command("show", "One device with health, dock and configuration versions") { id };
        show.SetAction(run(async (api, output, parse, ct) =>
        {
            var device = parse.GetValue(id)!;
            var detail = await api.GetAsync($"/api/devices/{Uri.EscapeDataString(device)}", ct).ConfigureAwait(false);
            var configuration = await api.GetAsync($"/api/devices/{Uri.EscapeDataString(device)}/configuration", ct).ConfigureAwait(false);
            if (output.Json)
            {
                output.Raw(JsonSerializer.SerializeToElement(new { device = detail, configuration }));
                return ExitCodes.Ok;
            }

            output.Fields(detail, "deviceId", "role", "online", "lastSeen", "softwareVersion", "health.linkState", "health.durability");
            output.Fields(configuration, "desiredVersion", "reportedVersion", "status");
            return ExitCodes.Ok;
        }));
        var enrolId = new Argument<string>("device") { Description = "Device id to enrol" };
        // Not --token-file: that is the caller's own API token, on every command.
        var tokenOut = new Option<string?>("--out") { Description = "Write the one-time enrolment token to this file (mode 0600) instead of printing it" };
        var caFile = new Option<string?>("--ca-file") { Description = "Write FleetControl's device CA (the gateway's Security:CaCertificateFile) to this file" };
        var enrol = new Command("enrol", "A one-time enrolment token for a device (give it to the gateway as Security:EnrolmentTokenFile)") { enrolId, tokenOut, caFile };
        enrol.SetAction(run(async (api, output, parse, ct) =>
        {
            var answer = await api.PostAsync($"/api/devices/{Uri.EscapeDataString(parse.GetValue(enrolId)!)}/enrolment", new { }, ct).ConfigureAwait(false);
            if (parse.GetValue(caFile) is { } ca)
            {
                File.WriteAllText(ca, answer.GetProperty("caCertificatePem").GetString());
            }

            if (parse.GetValue(tokenOut) is { } file)
            {
                var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                }

                using (var writer = new StreamWriter(file, System.Text.Encoding.UTF8, options))
                {
                    writer.WriteLine(answer.GetProperty("token").GetString());
                }

                output.Fields(answer, "deviceId", "expiresAt");
                output.Line($"token written to {file}");
                return ExitCodes.Ok;
            }

            output.Fields(answer, "deviceId", "token", "expiresAt");
            return ExitCodes.Ok;
        }));
        var revokeId = new Argument<string>("device") { Description = "Device id to revoke" };
        var revoke = new Command("revoke", "Revoke every certificate of a device; its MQTT and gRPC sessions are dropped at once") { revokeId };
        revoke.SetAction(run(async (api, output, parse, ct) =>
        {
            output.Fields(await api.PostAsync($"/api/devices/{Uri.EscapeDataString(parse.GetValue(revokeId)!)}/revoke", new { }, ct).ConfigureAwait(false),
                "deviceId", "validCertificates", "revokedCertificates");
            return ExitCodes.Ok;
        }));
        devices.Subcommands.Add(list);
        devices.Subcommands.Add(show);
        devices.Subcommands.Add(enrol);
        devices.Subcommands.Add(revoke);
        return devices;
    }

    private static Command Commands(Runner run)
    {
        var command = new Command("command", "Remote commands");
        var device = new Argument<string>("device") { Description = "Device id" };
        var type = new Argument<string>("type") { Description = "ping, collect-diagnostics, resend-range, restart-service, rescan-bays, start-recording or install-update" };
        var payload = new Option<string?>("--payload") { Description = "ping: text echoed back" };
        var ttl = new Option<int?>("--ttl") { Description = "Seconds the command may wait for the device" };
        var from = new Option<DateTimeOffset?>("--from") { Description = "resend-range: start" };
        var to = new Option<DateTimeOffset?>("--to") { Description = "resend-range: end (exclusive)" };
        var stream = new Option<string?>("--stream") { Description = "resend-range: one stream (e.g. gnss), else every stream" };
        var reason = new Option<string?>("--reason") { Description = "restart-service, start-recording: why (kept by the device)" };
        var wait = new Option<int?>("--wait") { Description = "Wait up to this many seconds for the outcome (exit 4 failed/expired, 5 still running)" };
        var offer = new Option<string?>("--offer") { Description = "install-update: the signed offer file (from 'FleetControl update sign')" };
        var nearby = new Option<double?>("--nearby") { Description = "start-recording: send it to every vehicle within this many metres of the device's last position (the device included)" };
        var send = new Command("send", "Queue a command (delivered when the device is online)") { device, type, payload, ttl, from, to, stream, reason, wait, offer, nearby };
        send.SetAction(run(async (api, output, parse, ct) =>
        {
            if (parse.GetValue(nearby) is { } radius)
            {
                return await SendNearbyAsync(api, output, parse.GetValue(device)!, parse.GetValue(type)!, radius, parse.GetValue(reason), parse.GetValue(ttl), parse.GetValue(wait), ct).ConfigureAwait(false);
            }

            var sent = await api.PostAsync(
                $"/api/devices/{Uri.EscapeDataString(parse.GetValue(device)!)}/commands",
                new
                {
                    type = parse.GetValue(type), payload = parse.GetValue(payload), timeToLiveSeconds = parse.GetValue(ttl), from = parse.GetValue(from), to = parse.GetValue(to), stream = parse.GetValue(stream), reason = parse.GetValue(reason),
                    offer = parse.GetValue(offer) is { } offerFile ? await File.ReadAllTextAsync(offerFile, ct).ConfigureAwait(false) : null,
                },
                ct).ConfigureAwait(false);
            return parse.GetValue(wait) is { } seconds
                ? await WaitAsync(api, output, sent.GetProperty("commandId").GetString()!, seconds, ct).ConfigureAwait(false)
                : Print(output, sent);
        }));

        var commandId = new Argument<string>("command-id") { Description = "Command id" };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait (at most 300)", DefaultValueFactory = _ => 60 };
        var waitCommand = new Command("wait", "Wait for a command's outcome") { commandId, timeout };
        waitCommand.SetAction(run((api, output, parse, ct) => WaitAsync(api, output, parse.GetValue(commandId)!, parse.GetValue(timeout), ct)));

        var listDevice = new Argument<string>("device") { Description = "Device id" };
        var list = new Command("list", "A device's command history, newest first") { listDevice };
        list.SetAction(run(async (api, output, parse, ct) =>
        {
            output.Table(await api.GetAsync($"/api/devices/{Uri.EscapeDataString(parse.GetValue(listDevice)!)}/commands", ct).ConfigureAwait(false),
                "commandId", "kind", "state", "reason", "createdAt");
            return ExitCodes.Ok;
        }));
        command.Subcommands.Add(send);
        command.Subcommands.Add(waitCommand);
        command.Subcommands.Add(list);
        return command;
    }

    /// <summary><c>command send DEVICE start-recording --nearby R</c>: one command per vehicle within R metres; with --wait, the worst outcome's exit code.</summary>
    private static async Task<int> SendNearbyAsync(FleetClient api, Output output, string device, string type, double radius, string? reason, int? ttl, int? wait, CancellationToken ct)
    {
        var sent = await api.PostAsync(
            $"/api/devices/{Uri.EscapeDataString(device)}/commands/nearby",
            new { type, radiusMetres = radius, reason, timeToLiveSeconds = ttl },
            ct).ConfigureAwait(false);
        if (wait is not { } seconds)
        {
            if (output.Json)
            {
                output.Raw(sent);
            }
            else
            {
                output.Table(sent.GetProperty("targets"), "deviceId", "distanceMetres", "command.commandId", "command.state");
            }

            return ExitCodes.Ok;
        }

        var code = ExitCodes.Ok;
        foreach (var target in sent.GetProperty("targets").EnumerateArray())
        {
            var outcome = await WaitAsync(api, output, target.GetProperty("command").GetProperty("commandId").GetString()!, seconds, ct).ConfigureAwait(false);
            code = code == ExitCodes.Ok ? outcome : code;
        }

        return code;
    }

    private static async Task<int> WaitAsync(FleetClient api, Output output, string commandId, int seconds, CancellationToken ct)
    {
        var result = await api.GetAsync($"/api/commands/{Uri.EscapeDataString(commandId)}?waitSeconds={Math.Clamp(seconds, 0, 300)}", ct).ConfigureAwait(false);
        Print(output, result);
        return result.GetProperty("state").GetString() switch
        {
            "succeeded" => ExitCodes.Ok,
            "failed" or "expired" => ExitCodes.CommandFailed,
            _ => ExitCodes.Timeout,
        };
    }

    private static int Print(Output output, JsonElement command)
    {
        output.Fields(command, "commandId", "deviceId", "kind", "state", "reason", "details");
        return ExitCodes.Ok;
    }

    private static Command Config(Runner run)
    {
        var config = new Command("config", "Desired and reported configuration");
        var device = new Argument<string>("device") { Description = "Device id" };
        var get = new Command("get", "Desired and reported version of a device") { device };
        get.SetAction(run(async (api, output, parse, ct) =>
        {
            output.Fields(await api.GetAsync($"/api/devices/{Uri.EscapeDataString(parse.GetValue(device)!)}/configuration", ct).ConfigureAwait(false),
                "deviceId", "desiredVersion", "reportedVersion", "status", "desiredJson");
            return ExitCodes.Ok;
        }));

        var setDevice = new Argument<string>("device") { Description = "Device id" };
        var file = new Argument<FileInfo>("file") { Description = "JSON file in the shape of appsettings.json" };
        var set = new Command("set", "Make a file the device's next desired configuration") { setDevice, file };
        set.SetAction(run(async (api, output, parse, ct) =>
        {
            var body = await ReadConfigurationAsync(parse.GetValue(file)!, ct).ConfigureAwait(false);
            var result = await api.PutAsync($"/api/devices/{Uri.EscapeDataString(parse.GetValue(setDevice)!)}/configuration", new { configuration = body }, ct).ConfigureAwait(false);
            output.Fields(result, "configuration.desiredVersion", "configuration.reportedVersion", "command.commandId", "command.state");
            return ExitCodes.Ok;
        }));

        var rolloutFile = new Argument<FileInfo>("file") { Description = "JSON file in the shape of appsettings.json" };
        var group = new Option<string?>("--group") { Description = "Role (Vehicle, Dock) or all" };
        var devices = new Option<string[]>("--device") { Description = "Explicit devices (repeatable)", AllowMultipleArgumentsPerToken = true };
        var firstStage = new Option<int>("--first-stage") { Description = "Devices in the first stage", DefaultValueFactory = _ => 1 };
        var rollout = new Command("rollout", "Staged rollout to a group; stops on the first failure") { rolloutFile, group, devices, firstStage };
        rollout.SetAction(run(async (api, output, parse, ct) =>
        {
            var body = await ReadConfigurationAsync(parse.GetValue(rolloutFile)!, ct).ConfigureAwait(false);
            var result = await api.PostAsync("/api/rollouts", new { configuration = body, group = parse.GetValue(group), devices = parse.GetValue(devices), firstStageSize = parse.GetValue(firstStage) }, ct).ConfigureAwait(false);
            output.Fields(result, "rolloutId", "group", "devices", "firstStageSize", "state");
            return ExitCodes.Ok;
        }));
        var rolloutId = new Argument<string>("rollout-id") { Description = "Rollout id (from config rollout)" };
        var status = new Command("rollout-status", "Where a rollout stands (exit 0 completed, 4 stopped, 5 still running)") { rolloutId };
        status.SetAction(run(async (api, output, parse, ct) =>
        {
            var result = await api.GetAsync($"/api/rollouts/{Uri.EscapeDataString(parse.GetValue(rolloutId)!)}", ct).ConfigureAwait(false);
            output.Fields(result, "rolloutId", "group", "stage", "state", "reason", "deviceStates");
            return result.GetProperty("state").GetString() switch
            {
                "completed" => ExitCodes.Ok,
                "stopped" => ExitCodes.CommandFailed,
                _ => ExitCodes.Timeout,
            };
        }));
        config.Subcommands.Add(get);
        config.Subcommands.Add(set);
        config.Subcommands.Add(rollout);
        config.Subcommands.Add(status);
        return config;
    }

    private static async Task<JsonElement> ReadConfigurationAsync(FileInfo file, CancellationToken ct)
    {
        try
        {
            return JsonDocument.Parse(await File.ReadAllTextAsync(file.FullName, ct).ConfigureAwait(false)).RootElement.Clone();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new FleetCtlException(ExitCodes.Usage, $"{file.FullName}: {ex.Message}");
        }
    }

    private static Command Alerts(Runner run)
    {
        var alerts = new Command("alerts", "Alerts raised by FleetControl's rules");
        var state = new Option<string?>("--state") { Description = "active or resolved (default: both)" };
        var list = new Command("list", "Alerts, newest first") { state };
        list.SetAction(run(async (api, output, parse, ct) =>
        {
            var query = parse.GetValue(state) is { } s ? $"?state={Uri.EscapeDataString(s)}" : string.Empty;
            output.Table(await api.GetAsync("/api/alerts" + query, ct).ConfigureAwait(false), "alertId", "severity", "state", "raisedAt", "acknowledgedBy", "message");
            return ExitCodes.Ok;
        }));
        var id = new Argument<string>("alert-id") { Description = "Alert id" };
        var ack = new Command("ack", "Acknowledge an alert (recorded under the signed-in account)") { id };
        ack.SetAction(run(async (api, output, parse, ct) =>
        {
            output.Fields(await api.PostAsync($"/api/alerts/{Uri.EscapeDataString(parse.GetValue(id)!)}/ack", new { }, ct).ConfigureAwait(false),
                "alertId", "state", "acknowledgedBy", "acknowledgedAt");
            return ExitCodes.Ok;
        }));
        alerts.Subcommands.Add(list);
        alerts.Subcommands.Add(ack);
        return alerts;
    }

    private static Command Evidence(Runner run)
    {
        var evidence = new Command("evidence", "Evidence items in FleetControl's vault");
        var device = new Option<string?>("--device") { Description = "Only this device's items" };
        var list = new Command("list", "Evidence items") { device };
        list.SetAction(run(async (api, output, parse, ct) =>
        {
            var query = parse.GetValue(device) is { } d ? $"?deviceId={Uri.EscapeDataString(d)}" : string.Empty;
            output.Raw(await api.GetAsync("/api/evidence" + query, ct).ConfigureAwait(false));
            return ExitCodes.Ok;
        }));
        var id = new Argument<string>("evidence-id") { Description = "Evidence id" };
        var verify = new Command("verify", "Verify an item end to end (exit 6 when it fails)") { id };
        verify.SetAction(run(async (api, output, parse, ct) =>
        {
            var item = await api.GetAsync($"/api/evidence/{Uri.EscapeDataString(parse.GetValue(id)!)}?verify=true", ct).ConfigureAwait(false);
            output.Fields(item, "verification.ok", "verification.summary", "verification.problems");
            return Output.Cell(item, "verification.ok") == "true" ? ExitCodes.Ok : ExitCodes.VerificationFailed;
        }));
        var exportId = new Argument<string>("evidence-id") { Description = "Evidence id" };
        var outFile = new Option<FileInfo>("--out") { Description = "Where to write the item's receipt and custody chain (JSON)", Required = true };
        var export = new Command("export", "Write an item's receipt and custody chain to a file") { exportId, outFile };
        export.SetAction(run(async (api, output, parse, ct) =>
        {
            var item = await api.GetAsync($"/api/evidence/{Uri.EscapeDataString(parse.GetValue(exportId)!)}/export", ct).ConfigureAwait(false);
            var path = parse.GetValue(outFile)!.FullName;
            await File.WriteAllTextAsync(path, JsonSerializer.Serialize(item, new JsonSerializerOptions { WriteIndented = true }), ct).ConfigureAwait(false);
            output.Line($"wrote {path}");
            return ExitCodes.Ok;
        }));
        evidence.Subcommands.Add(list);
        evidence.Subcommands.Add(verify);
        evidence.Subcommands.Add(export);
        return evidence;
    }
}
