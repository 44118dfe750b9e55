using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using EdgeGateway.Simulators.LocalSystem;

namespace EdgeGateway.Simulators.Anpr;

/// <summary>
/// The local system's ANPR camera: a demo hotlist (written as CSV beside the vehicle and posted to FleetControl, which
/// sends it to the vehicle), the gateway settings that turn its camera listener on, and the <c>anpr</c> simulator as a
/// child process posting reads to it with a share of hotlist hits.
/// </summary>
internal sealed class AnprCameraNode : IAsyncDisposable
{
    private readonly BuildOutputs _outputs;
    private readonly string[] _arguments;
    private ManagedProcess? _process;

    private AnprCameraNode(BuildOutputs outputs, string directory, int port, string hotlistFile, double rate, double hitRate)
    {
        _outputs = outputs;
        Port = port;
        LogFile = Path.Combine(directory, "anpr-camera.log");
        _arguments = ["anpr", "--target", $"http://127.0.0.1:{port}", "--camera", "cam-front", "--rate", rate.ToString(CultureInfo.InvariantCulture),
            "--hotlist", hotlistFile, "--hit-rate", hitRate.ToString(CultureInfo.InvariantCulture), "--population", "40", "--work", Path.Combine(directory, "anpr-camera")];
    }

    /// <summary>The gateway's camera listener port.</summary>
    public int Port { get; }

    public string LogFile { get; }

    /// <summary>
    /// Writes and posts the demo hotlist, adds the ANPR settings to <paramref name="settings"/> and returns the node
    /// (start it once the gateway runs).
    /// </summary>
    public static async Task<AnprCameraNode> PrepareAsync(BuildOutputs outputs, FleetControlNode fleet, string directory, IDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var random = new Random(12);
        var entries = Enumerable.Range(0, 12).Select(i => (Vrm: UkPlates.Next(random), List: i % 3 == 0 ? "stolen" : i % 3 == 1 ? "no-insurance" : "wanted",
            Reason: i % 3 == 0 ? "Reported stolen" : i % 3 == 1 ? "No insurance on record" : "Driver wanted for questioning", Markers: i % 3 == 2 ? "violent" : "")).ToList();
        var csv = new StringBuilder("vrm,list,reason,markers\n");
        foreach (var e in entries)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{e.Vrm},{e.List},{e.Reason},{e.Markers}\n");
        }

        var hotlistFile = Path.Combine(directory, "demo-hotlist.csv");
        await File.WriteAllTextAsync(hotlistFile, csv.ToString(), cancellationToken).ConfigureAwait(false);
        var current = await fleet.GetJsonAsync("/api/anpr/hotlist", cancellationToken).ConfigureAwait(false);
        if (current.GetProperty("entries").GetInt32() == 0)
        {
            using var response = await fleet.Http.PostAsJsonAsync("/api/anpr/hotlist", new
            {
                upserts = entries.Select(e => new { vrm = e.Vrm, list = e.List, reason = e.Reason, markers = e.Markers.Length > 0 ? new[] { e.Markers } : [] }),
            }, cancellationToken).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
        }

        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        settings["Anpr:Enabled"] = "true";
        settings["Anpr:Port"] = port.ToString(CultureInfo.InvariantCulture);
        settings["Anpr:ExpectedCameras:0"] = "cam-front";
        return new AnprCameraNode(outputs, directory, port, hotlistFile, rate: 0.5, hitRate: 0.1);
    }

    /// <summary>Starts the camera simulator.</summary>
    public void Start() => _process = ManagedProcess.Start("anpr-camera", _outputs.Simulators, _arguments, null, LogFile);

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            await _process.DisposeAsync().ConfigureAwait(false);
        }
    }
}
