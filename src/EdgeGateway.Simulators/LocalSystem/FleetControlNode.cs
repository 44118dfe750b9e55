using System.Net.Http.Json;
using System.Text.Json;

namespace EdgeGateway.Simulators.LocalSystem;

/// <summary>
/// FleetControl as a child process on loopback: its REST and gRPC ports, its MQTT broker (embedded, or
/// an external one it connects to), and its data and vault directories. Restartable on the same data.
/// </summary>
internal sealed class FleetControlNode : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly BuildOutputs _outputs;
    private readonly string _directory;
    private readonly (string Host, int Port)? _externalBroker;
    private ManagedProcess? _process;

    /// <param name="outputs">Where the built FleetControl is.</param>
    /// <param name="directory">Its data, vault and log.</param>
    /// <param name="httpPort">REST port.</param>
    /// <param name="grpcPort">gRPC port.</param>
    /// <param name="mqttPort">Embedded broker port.</param>
    /// <param name="externalBroker">An external (plain) broker to ingest from instead of the embedded one.</param>
    /// <param name="tls">
    /// Mutual TLS (the default with the embedded broker). False runs the named development override
    /// (<c>Identity:DevelopmentPlaintext</c>), needed with a plain external broker.
    /// </param>
    public FleetControlNode(BuildOutputs outputs, string directory, int httpPort, int grpcPort, int mqttPort, (string Host, int Port)? externalBroker = null, bool? tls = null)
    {
        _outputs = outputs;
        _directory = Path.GetFullPath(directory);
        _externalBroker = externalBroker;
        Tls = tls ?? externalBroker is null;
        HttpPort = httpPort;
        GrpcPort = grpcPort;
        BrokerPort = externalBroker?.Port ?? mqttPort;
        Http = new HttpClient(TrustingHandler()) { BaseAddress = new Uri(RestUrl), Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>REST and the web console: https (FleetControl's CA-issued server certificate) unless the development override is on.</summary>
    public string RestUrl => $"{(Tls ? "https" : "http")}://127.0.0.1:{HttpPort}";

    /// <summary>Trusts FleetControl's server certificate only if it chains to its CA file (written at its first start).</summary>
    private SocketsHttpHandler TrustingHandler()
    {
        var handler = new SocketsHttpHandler();
        System.Security.Cryptography.X509Certificates.X509Certificate2? anchor = null;
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            anchor ??= File.Exists(CaCertificateFile) ? System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(CaCertificateFile) : null;
            return anchor is not null && EdgeGateway.Contracts.Security.ServerCertificateCheck.IsTrusted(certificate, errors, anchor);
        };
        return handler;
    }

    public int HttpPort { get; }

    /// <summary>Extra settings (<c>Section:Key</c> = value) given to FleetControl as environment variables at start.</summary>
    public IDictionary<string, string> Settings { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public int GrpcPort { get; }

    /// <summary>The MQTT port devices connect to (the embedded broker's, or the external broker's).</summary>
    public int BrokerPort { get; }

    /// <summary>Whether MQTT and gRPC run with mutual TLS (otherwise the development override is on).</summary>
    public bool Tls { get; }

    public string GrpcUrl => $"{(Tls ? "https" : "http")}://127.0.0.1:{GrpcPort}";

    /// <summary>FleetControl's device CA, the trust anchor its gateways are given.</summary>
    public string CaCertificateFile => Path.Combine(DataDirectory, "identity", "ca.crt");

    public string DataDirectory => Path.Combine(_directory, "data");

    public string VaultDirectory => Path.Combine(_directory, "vault");

    public string LogFile => Path.Combine(_directory, "fleetcontrol.log");

    /// <summary>The local administrator account this launcher creates for itself and for the person running it.</summary>
    public const string AdminAccount = "admin";

    /// <summary>The administrator's console password (mode 0600), generated on first start.</summary>
    public string AdminPasswordFile => Path.Combine(_directory, "admin.password");

    /// <summary>An API token of the administrator (mode 0600) for fleetctl, curl and this launcher's summary.</summary>
    public string AdminTokenFile => Path.Combine(_directory, "admin.token");

    /// <summary>A client for FleetControl's REST API.</summary>
    public HttpClient Http { get; }

    public ManagedProcess Process => _process ?? throw new InvalidOperationException("FleetControl is not started.");

    /// <summary>Starts FleetControl and waits (bounded) until its REST API answers.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var environment = FleetEnvironment();
        await EnsureAdminAsync(environment, cancellationToken).ConfigureAwait(false);
        _process = ManagedProcess.Start("fleetcontrol", _outputs.FleetControl, [], environment, LogFile);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(StartTimeout);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"FleetControl exited with code {_process.ExitCode} during start-up.\n{_process.RecentOutput()}");
            }

            try
            {
                using var response = await Http.GetAsync("/healthz", deadline.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!deadline.IsCancellationRequested)
            {
                // One request timed out; try again.
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"FleetControl did not answer /healthz within {StartTimeout}.\n{_process.RecentOutput()}");
            }

            // Polling a health endpoint is how orchestrators wait for readiness; the loop is bounded by the deadline.
            await Task.Delay(TimeSpan.FromMilliseconds(200), deadline.Token).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The security settings of a gateway that lives in <paramref name="gatewayDirectory"/>: the CA file and,
    /// unless it holds a certificate already, a fresh one-time enrolment token asked for over REST as an
    /// engineer would, written to <c>enrolment-token</c> (mode 0600) and passed by file name, never by value.
    /// Under the development override: that override.
    /// </summary>
    public async Task<Dictionary<string, string>> EnrolGatewayAsync(string deviceId, string gatewayDirectory, CancellationToken cancellationToken)
    {
        if (!Tls)
        {
            return new Dictionary<string, string> { ["Security:DevelopmentPlaintext"] = "true" };
        }

        var settings = new Dictionary<string, string> { ["Security:CaCertificateFile"] = CaCertificateFile };
        if (File.Exists(Path.Combine(gatewayDirectory, "data", "identity", "device.crt")))
        {
            return settings; // enrolled in an earlier run; it renews by itself
        }

        using var response = await Http.PostAsync($"/api/devices/{Uri.EscapeDataString(deviceId)}/enrolment", null, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"FleetControl refused to enrol {deviceId}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)}");
        }

        var answer = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken).ConfigureAwait(false);
        var tokenFile = Path.Combine(gatewayDirectory, "enrolment-token");
        EdgeGateway.Contracts.Security.PrivateFile.WriteAllText(tokenFile, answer.GetProperty("token").GetString() + "\n");
        settings["Security:EnrolmentTokenFile"] = tokenFile;
        return settings;
    }

    /// <summary>FleetControl's settings for this node, as environment variables.</summary>
    private Dictionary<string, string> FleetEnvironment()
    {
        var environment = new Dictionary<string, string>
        {
            ["FleetControl__DataDirectory"] = DataDirectory,
            ["FleetControl__HttpPort"] = HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["FleetControl__GrpcPort"] = GrpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Evidence__VaultDirectory"] = VaultDirectory,
            ["Mqtt__Port"] = BrokerPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Mqtt__Mode"] = _externalBroker is null ? "Embedded" : "External",
            ["Identity__DevelopmentPlaintext"] = Tls ? "false" : "true",
        };
        if (_externalBroker is { } broker)
        {
            environment["Mqtt__Host"] = broker.Host;
        }

        foreach (var (key, value) in Settings)
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        return environment;
    }

    /// <summary>
    /// Authentication is on in the local system too: on first start this creates the administrator account with
    /// a generated password and an API token, both in 0600 files beside the data, through FleetControl's own
    /// <c>accounts</c> command (as an operator would). A restart reuses them.
    /// </summary>
    private async Task EnsureAdminAsync(Dictionary<string, string> environment, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_directory);
        var accounts = Path.Combine(DataDirectory, "accounts.json");
        if (!File.Exists(AdminTokenFile) || !File.Exists(AdminPasswordFile) || !File.Exists(accounts))
        {
            var password = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');
            await WriteSecretAsync(AdminPasswordFile, password, cancellationToken).ConfigureAwait(false);
            var added = await AccountsAsync(environment, ["add", AdminAccount, "--role", "administrator", "--password-file", AdminPasswordFile], cancellationToken).ConfigureAwait(false);
            if (added == 2)
            {
                // The account survived but a file was lost: give it the new password.
                added = await AccountsAsync(environment, ["set-password", AdminAccount, "--password-file", AdminPasswordFile], cancellationToken).ConfigureAwait(false);
            }

            if (added != 0 || await AccountsAsync(environment, ["token", AdminAccount, "--out", AdminTokenFile], cancellationToken).ConfigureAwait(false) != 0)
            {
                throw new InvalidOperationException($"Could not create FleetControl's administrator account; see {LogFile}.");
            }
        }

        var token = (await File.ReadAllTextAsync(AdminTokenFile, cancellationToken).ConfigureAwait(false)).Trim();
        Http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
    }

    private async Task<int> AccountsAsync(Dictionary<string, string> environment, string[] arguments, CancellationToken cancellationToken)
    {
        await using var command = ManagedProcess.Start("fleetcontrol-accounts", _outputs.FleetControl, ["accounts", .. arguments], environment, LogFile);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(StartTimeout);
        await command.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        return command.ExitCode;
    }

    private static async Task WriteSecretAsync(string path, string secret, CancellationToken cancellationToken)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using var stream = new FileStream(path, options);
        await using var writer = new StreamWriter(stream);
        await writer.WriteLineAsync(secret.AsMemory(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>GET <paramref name="path"/> as JSON.</summary>
    public async Task<JsonElement> GetJsonAsync(string path, CancellationToken cancellationToken) =>
        await Http.GetFromJsonAsync<JsonElement>(path, cancellationToken).ConfigureAwait(false);

    public Task StopAsync() => _process?.StopAsync(TimeSpan.FromSeconds(20)) ?? Task.CompletedTask;

    /// <summary>SIGKILL, as in a crash or power cut.</summary>
    public Task KillAsync() => _process?.KillAsync() ?? Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync().ConfigureAwait(false);
        }

        Http.Dispose();
    }
}
