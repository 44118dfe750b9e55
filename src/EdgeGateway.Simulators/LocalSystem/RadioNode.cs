using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace EdgeGateway.Simulators.LocalSystem;

/// <summary>
/// A vehicle's two radio modems as child processes: the simulated LTE (ESN) modem on a pty, whose data path
/// relays the gateway's MQTT to FleetControl's broker only while it has coverage (its coverage script is a
/// tunnel), and the simulated TETRA terminal on a pty, linked to FleetControl's TETRA gateway. The gateway
/// drives both over AT, so while LTE is lost its drain moves onto TETRA (emergency, status, LIP positions).
/// </summary>
internal sealed partial class RadioNode : IAsyncDisposable
{
    /// <summary>ISSI of FleetControl's TETRA gateway in the local system.</summary>
    public const string DispatcherIssi = "9000";

    private readonly BuildOutputs _outputs;
    private readonly string _directory;
    private readonly string _lteCoverage;
    private readonly int _brokerPort;
    private readonly int _tetraGatewayPort;
    private ManagedProcess? _lte;
    private ManagedProcess? _tetra;
    private volatile string _lteState = "starting";
    private volatile string _tetraState = "starting";

    /// <param name="outputs">Where the built simulators are.</param>
    /// <param name="directory">The vehicle's folder (pty links, logs).</param>
    /// <param name="issi">The terminal's ISSI (FleetControl's <c>Tetra:Terminals</c> maps it to the vehicle).</param>
    /// <param name="lteCoverage">The LTE modem's coverage script, e.g. <c>lost@60,ok@150</c>.</param>
    /// <param name="brokerPort">FleetControl's MQTT port, behind the LTE data path.</param>
    /// <param name="tetraGatewayPort">FleetControl's TETRA gateway link port.</param>
    public RadioNode(BuildOutputs outputs, string directory, string issi, string lteCoverage, int brokerPort, int tetraGatewayPort)
    {
        _outputs = outputs;
        _directory = Path.GetFullPath(directory);
        Directory.CreateDirectory(_directory);
        Issi = issi;
        _lteCoverage = lteCoverage;
        _brokerPort = brokerPort;
        _tetraGatewayPort = tetraGatewayPort;
    }

    public string Issi { get; }

    public string LteLink => Path.Combine(_directory, "lte.tty");

    public string TetraLink => Path.Combine(_directory, "tetra.tty");

    /// <summary>The LTE data path's port (the gateway's <c>Mqtt:Port</c>), once started.</summary>
    public int DataPort { get; private set; }

    /// <summary>Starts both simulators and waits (bounded) for their READY lines.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _lte = ManagedProcess.Start(
            "lte-simulator",
            _outputs.Simulators,
            ["lte", "--pty-link", LteLink, "--coverage", _lteCoverage, "--data-path", $"127.0.0.1:0=127.0.0.1:{_brokerPort}", "--stats-interval", "1"],
            null,
            Path.Combine(_directory, "lte-simulator.log"));
        _lte.OutputLine += line =>
        {
            if (LtePattern().Match(line) is { Success: true } match)
            {
                _lteState = $"{match.Groups[1].Value.ToLowerInvariant()}, data path {match.Groups[2].Value}";
            }
        };
        var ready = await _lte.WaitForOutputAsync(l => l.StartsWith("READY ", StringComparison.Ordinal), TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
        DataPort = int.Parse(DataPortPattern().Match(ready).Groups[1].ValueSpan, CultureInfo.InvariantCulture);

        _tetra = ManagedProcess.Start(
            "tetra-simulator",
            _outputs.Simulators,
            ["tetra", "--pty-link", TetraLink, "--issi", Issi, "--dispatcher", DispatcherIssi, "--swmi", $"127.0.0.1:{_tetraGatewayPort}", "--stats-interval", "1"],
            null,
            Path.Combine(_directory, "tetra-simulator.log"));
        _tetra.OutputLine += line =>
        {
            if (TetraPattern().Match(line) is { Success: true } match)
            {
                _tetraState = $"{(match.Groups[2].Value == "1" ? "registered" : "no coverage")}, {match.Groups[1].Value} SDS sent";
            }
        };
        await _tetra.WaitForOutputAsync(l => l.StartsWith("READY ", StringComparison.Ordinal), TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The gateway settings that put both modems in the vehicle (MQTT goes through the LTE data path).</summary>
    public void Apply(IDictionary<string, string> settings)
    {
        settings["Lte:Enabled"] = "true";
        settings["Lte:Serial:PortName"] = LteLink;
        settings["Lte:PollInterval"] = "00:00:05";
        settings["Tetra:Enabled"] = "true";
        settings["Tetra:Serial:PortName"] = TetraLink;
        settings["Tetra:DispatcherIssi"] = DispatcherIssi;
        settings["Mqtt:Port"] = DataPort.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Changes the LTE modem's coverage now (<c>good</c>, <c>poor</c>, <c>lost</c>), as its script would.</summary>
    public Task SetLteCoverageAsync(string coverage) => _lte?.WriteLineAsync($"coverage {coverage}") ?? Task.CompletedTask;

    /// <summary>Presses the terminal's emergency button (as the officer would).</summary>
    public Task PressEmergencyAsync() => _tetra?.WriteLineAsync("emergency") ?? Task.CompletedTask;

    /// <summary>One summary line: the modems, and what the gateway sent over TETRA (from its health file).</summary>
    public string Describe(GatewayNode gateway)
    {
        long Counter(JsonElement counters, string name) => GatewayHealthSnapshot.Long(counters, name);
        var tetra = "-";
        try
        {
            var path = Path.Combine(gateway.DataDirectory, "health.json");
            if (File.Exists(path))
            {
                using var document = JsonDocument.Parse(File.ReadAllText(path));
                if (document.RootElement.TryGetProperty("report", out var report) && report.TryGetProperty("counters", out var counters))
                {
                    tetra = string.Create(
                        CultureInfo.InvariantCulture,
                        $"{Counter(counters, "tetra.uplink.envelopes_stored")} envelope(s), {Counter(counters, "tetra.uplink.positions_stored")} LIP position(s), {Counter(counters, "tetra.uplink.failovers")} failover(s)");
                }
            }
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
        }

        return $"  radio: LTE {_lteState} (script {_lteCoverage}); TETRA {_tetraState}; stored over TETRA: {tetra}";
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in new[] { _tetra, _lte })
        {
            if (process is not null)
            {
                await process.StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
                await process.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    [GeneratedRegex(@"\bdata_port=(\d+)")]
    private static partial Regex DataPortPattern();

    [GeneratedRegex(@"^STATS .*\bcoverage=(\w+).*\bdata_path=(\w+)")]
    private static partial Regex LtePattern();

    [GeneratedRegex(@"^STATS .*\bsds_sent=(\d+).*\bregistered=(\d)")]
    private static partial Regex TetraPattern();
}
