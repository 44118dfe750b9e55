using System.Globalization;

namespace EdgeGateway.Simulators.LocalSystem;

/// <summary>
/// One EdgeGateway process (a vehicle or a dock) configured by environment variables, pointed at a
/// <see cref="FleetControlNode"/>. Restartable on the same data directory, killable with SIGKILL.
/// </summary>
internal sealed class GatewayNode : IAsyncDisposable
{
    private readonly string _assembly;
    private readonly Dictionary<string, string> _environment;
    private ManagedProcess? _process;
    private int _starts;

    /// <param name="outputs">Where the built gateway is.</param>
    /// <param name="deviceId">Gateway:DeviceId.</param>
    /// <param name="role">Gateway:Role ("Vehicle" or "Dock").</param>
    /// <param name="directory">Folder for this gateway's data and log.</param>
    /// <param name="brokerPort">MQTT broker port on 127.0.0.1.</param>
    /// <param name="fleetControlGrpcUrl">FleetControl's gRPC URL.</param>
    /// <param name="settings">Further configuration, as "Section:Key" = value.</param>
    /// <param name="assembly">Another gateway build to run (e.g. the code before a change); default the built one.</param>
    public GatewayNode(
        BuildOutputs outputs,
        string deviceId,
        string role,
        string directory,
        int brokerPort,
        string fleetControlGrpcUrl,
        IReadOnlyDictionary<string, string>? settings = null,
        string? assembly = null)
    {
        _assembly = assembly ?? outputs.Gateway;
        DeviceId = deviceId;
        Directory = Path.GetFullPath(directory);
        _environment = new Dictionary<string, string>
        {
            ["Gateway__DeviceId"] = deviceId,
            ["Gateway__Role"] = role,
            ["Gateway__DataDirectory"] = DataDirectory,
            ["Gateway__FleetControlUrl"] = fleetControlGrpcUrl,
            ["Mqtt__Host"] = "127.0.0.1",
            ["Mqtt__Port"] = brokerPort.ToString(CultureInfo.InvariantCulture),
            ["Health__FileInterval"] = "00:00:01",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            _environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
    }

    public string DeviceId { get; }

    public string Directory { get; }

    public string DataDirectory => Path.Combine(Directory, "data");

    public string LogFile => Path.Combine(Directory, "gateway.log");

    public ManagedProcess Process => _process ?? throw new InvalidOperationException($"Gateway {DeviceId} is not started.");

    /// <summary>Sets (or, with null, removes) an environment variable for the next <see cref="Start"/>, as a changed unit file would.</summary>
    public void SetEnvironment(string name, string? value)
    {
        if (value is null)
        {
            _environment.Remove(name);
        }
        else
        {
            _environment[name] = value;
        }
    }

    /// <summary>Starts (or restarts) the gateway process.</summary>
    public ManagedProcess Start()
    {
        _starts++;
        _process = ManagedProcess.Start($"gateway {DeviceId}#{_starts}", _assembly, [], _environment, LogFile);
        return _process;
    }

    /// <summary>The gateway's local health file, or null before its first write.</summary>
    public GatewayHealthSnapshot? ReadHealth() => GatewayHealthSnapshot.TryRead(Path.Combine(DataDirectory, "health.json"));

    public Task StopAsync() => _process?.StopAsync(TimeSpan.FromSeconds(20)) ?? Task.CompletedTask;

    /// <summary>SIGKILL, as in ignition-off without warning or a power cut.</summary>
    public Task KillAsync() => _process?.KillAsync() ?? Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync().ConfigureAwait(false);
        }
    }
}
