using System.Net.Http.Json;
using EdgeGateway.Simulators.LocalSystem;

namespace EdgeGateway.EndToEnd.Tests;

/// <summary>
/// A temporary local system for one test: a folder, FleetControl on free ports, and helpers to add
/// simulated vehicles. Everything is killed and the folder deleted at the end.
/// </summary>
internal sealed class SystemUnderTest : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _nodes = [];

    private SystemUnderTest(string directory, FleetControlNode fleet)
    {
        Directory = directory;
        Fleet = fleet;
    }

    public static BuildOutputs Outputs { get; } = BuildOutputs.Locate();

    public string Directory { get; }

    public FleetControlNode Fleet { get; }

    /// <summary>Starts FleetControl with its embedded broker, or against an external broker.</summary>
    public static async Task<SystemUnderTest> StartAsync((string Host, int Port)? externalBroker = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "edge-e2e-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(directory);
        var fleet = new FleetControlNode(Outputs, Path.Combine(directory, "fleetcontrol"), FreePort.Next(), FreePort.Next(), FreePort.Next(), externalBroker);
        var system = new SystemUnderTest(directory, fleet);
        await fleet.StartAsync(TestContext.Current.CancellationToken);
        return system;
    }

    /// <summary>A GPS simulator on a pty plus a vehicle gateway reading it; thinning relaxed so most fixes are kept.</summary>
    public async Task<(GatewayNode Gateway, GpsSimulatorNode Gps)> StartVehicleAsync(
        string deviceId, double rate = 10, IReadOnlyDictionary<string, string>? settings = null, int? brokerPort = null)
    {
        var folder = Path.Combine(Directory, deviceId);
        var gps = new GpsSimulatorNode(Outputs, folder, ["--route", "hertford"], rate);
        _nodes.Add(gps);
        await gps.StartAsync(TestContext.Current.CancellationToken);
        var all = new Dictionary<string, string>
        {
            ["Gnss:Transport"] = "Serial",
            ["Gnss:Serial:PortName"] = gps.PtyLink,
            ["Gnss:Thinning:MinInterval"] = "00:00:00",
            ["Gnss:Thinning:MinDistanceMetres"] = "0",
            ["Mqtt:ReconnectMin"] = "00:00:00.200",
            ["Mqtt:ReconnectMax"] = "00:00:02",
            ["Mqtt:AckTimeout"] = "00:00:05",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            all[key] = value;
        }

        var gateway = new GatewayNode(Outputs, deviceId, "Vehicle", folder, brokerPort ?? Fleet.BrokerPort, Fleet.GrpcUrl, all);
        _nodes.Add(gateway);
        gateway.Start();
        return (gateway, gps);
    }

    /// <summary>
    /// A dock simulator (cameras with real MP4 clips and one larger recording each, docking into bay
    /// folders) plus a gateway in the dock role offloading them.
    /// </summary>
    public (GatewayNode Gateway, ManagedProcess Simulator) StartDock(
        string deviceId, int cameras, int recordingsPerCamera, IReadOnlyDictionary<string, string>? settings = null)
    {
        var folder = Path.Combine(Directory, deviceId);
        var bays = Path.Combine(folder, "bays");
        var simulator = ManagedProcess.Start(
            "dock-simulator",
            Outputs.Simulators,
            ["dock", "--root", bays, "--bays", "4", "--cameras", cameras.ToString(System.Globalization.CultureInfo.InvariantCulture),
             "--recordings", recordingsPerCamera.ToString(System.Globalization.CultureInfo.InvariantCulture), "--clip-seconds", "2",
             "--big-file-size", "24MiB", "--big-every", "1", "--critical-every", "2"],
            null,
            Path.Combine(folder, "dock-simulator.log"));
        _nodes.Add(simulator);
        var all = new Dictionary<string, string>
        {
            ["Dock:BaysRoot"] = bays,
            ["Dock:Bays"] = "4",
            ["Evidence:StagingDirectory"] = Path.Combine(folder, "staging"),
            ["Evidence:StatusInterval"] = "00:00:01",
            ["Evidence:StatusReportInterval"] = "00:00:02",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            all[key] = value;
        }

        var gateway = new GatewayNode(Outputs, deviceId, "Dock", folder, Fleet.BrokerPort, Fleet.GrpcUrl, all);
        _nodes.Add(gateway);
        gateway.Start();
        return (gateway, simulator);
    }

    /// <summary>The positions FleetControl holds for <paramref name="deviceId"/> (up to 10,000).</summary>
    public async Task<IReadOnlyList<StoredPosition>> PositionsAsync(string deviceId, CancellationToken cancellationToken)
    {
        using var response = await Fleet.Http.GetAsync($"/api/devices/{deviceId}/positions?limit=10000", cancellationToken);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return [];
        }

        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<List<StoredPosition>>(cancellationToken) ?? [];
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _nodes.Count - 1; i >= 0; i--)
        {
            await _nodes[i].DisposeAsync();
        }

        await Fleet.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A log still held open by a dying process; the OS temp cleaner will take it.
        }
    }
}

/// <summary>One row of GET /api/devices/{id}/positions.</summary>
internal sealed record StoredPosition(string MessageId, ulong Sequence, DateTimeOffset Time, double Lat, double Lon, string Mode);
