using System.Globalization;
using EdgeGateway.Simulators.Cli;

namespace EdgeGateway.Simulators.LocalSystem;

/// <summary>
/// The <c>system</c> command: a complete local system on loopback — FleetControl (embedded broker and
/// store), simulated patrol vehicles (GPS simulator on a pty + gateway) and docking stations (dock
/// simulator + gateway in the dock role), each a separate process — with a live summary. Ctrl+C stops
/// everything cleanly.
/// </summary>
internal static class LocalSystemCommand
{
    public const string Usage = """
        usage: EdgeGateway.Simulators system [options]
          --vehicles N        simulated patrol vehicles (default 2)
          --docks N           simulated BWV docking stations (default 1)
          --dir DIR           where data, vault and logs go (default .local/system in the repository)
          --fresh             empty DIR first (otherwise a restart resumes with the data of the last run);
                              refused while another run uses DIR
          --http-port P       FleetControl REST (default 5080)
          --grpc-port P       FleetControl gRPC (default 5081)
          --mqtt-port P       FleetControl's embedded MQTT broker (default 1883)
          --rate HZ           GPS fixes per second per vehicle (default 1)
          --big-file-size S   size of the large recording each docked camera carries (default 256MiB; 0 = none)
          --duration S        stop by itself after S seconds (default: run until Ctrl+C)
          --radio-vehicles N  the first N vehicles get a simulated LTE modem (their MQTT goes through its data
                              path) and a TETRA terminal linked to FleetControl's TETRA gateway (default 1)
          --lte-coverage S    the LTE modem's coverage script (default lost@60,ok@150: a 90 s tunnel; while it
                              lasts, emergency, status and LIP positions go over TETRA)
          --emergency-after S press vehicle-01's TETRA emergency button S seconds after start (default 90; 0 = never)
          --tetra-port P      FleetControl's TETRA gateway link (default 5090)
          --cameras N         simulated in-car cameras per vehicle (ffmpeg test patterns; default 1, 0 = none);
                              the gateway records them and every trigger becomes a clip in the vault
        Prints a summary every 2 s: per vehicle, fixes produced by the receiver, messages accepted by the
        gateway's outbox, acknowledged by FleetControl, backlog, positions stored; per dock, bays and transfers.
        """;

    private static readonly string[] ValueOptions =
        ["--vehicles", "--docks", "--dir", "--http-port", "--grpc-port", "--mqtt-port", "--rate", "--big-file-size", "--duration",
         "--radio-vehicles", "--lte-coverage", "--emergency-after", "--tetra-port", "--cameras"];

    private static readonly string[] FlagOptions = ["--fresh"];

    /// <summary>Runs the system until <paramref name="cancellationToken"/> fires or --duration passes.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, CancellationToken cancellationToken)
    {
        var cli = CliArguments.Parse(args, ValueOptions, FlagOptions);
        var outputs = BuildOutputs.Locate();
        var vehicles = (int)(cli.GetInt64("--vehicles", 0, 50) ?? 2);
        var docks = (int)(cli.GetInt64("--docks", 0, 10) ?? 1);
        var cameras = (int)(cli.GetInt64("--cameras", 0, 4) ?? 1);
        var directory = Path.GetFullPath(cli.GetString("--dir") ?? Path.Combine(outputs.RepositoryRoot, ".local", "system"));
        var rate = cli.GetDouble("--rate", 1, 0.01, 100);
        var bigFile = cli.GetString("--big-file-size") ?? "256MiB";
        var duration = cli.GetInt64("--duration", 1, int.MaxValue) is { } seconds ? TimeSpan.FromSeconds(seconds) : Timeout.InfiniteTimeSpan;
        var httpPort = (int)(cli.GetInt64("--http-port", 1, 65535) ?? 5080);
        var grpcPort = (int)(cli.GetInt64("--grpc-port", 1, 65535) ?? 5081);
        var mqttPort = (int)(cli.GetInt64("--mqtt-port", 1, 65535) ?? 1883);
        var radioVehicles = (int)Math.Min(cli.GetInt64("--radio-vehicles", 0, 50) ?? 1, vehicles);
        var lteCoverage = cli.GetString("--lte-coverage") ?? "lost@60,ok@150";
        _ = Modem.LteCommand.ParseCoverage(lteCoverage); // a bad script is a usage error now, not in a child process
        var emergencyAfter = cli.GetInt64("--emergency-after", 0, 86_400) ?? 90;
        var tetraPort = (int)(cli.GetInt64("--tetra-port", 1, 65535) ?? 5090);

        // Refuse clearly, before anything starts: a second run on the same data, or a port someone else holds.
        using var directoryLock = SystemDirectoryLock.Acquire(directory, fresh: cli.Has("--fresh"));
        PortCheck.EnsureFree(httpPort, "FleetControl REST", "--http-port");
        PortCheck.EnsureFree(grpcPort, "FleetControl gRPC", "--grpc-port");
        PortCheck.EnsureFree(mqttPort, "FleetControl's MQTT broker", "--mqtt-port");
        if (radioVehicles > 0)
        {
            PortCheck.EnsureFree(tetraPort, "FleetControl's TETRA gateway", "--tetra-port");
        }

        await using var fleet = new FleetControlNode(outputs, Path.Combine(directory, "fleetcontrol"), httpPort, grpcPort, mqttPort);
        if (radioVehicles > 0)
        {
            fleet.Settings["Tetra:Enabled"] = "true";
            fleet.Settings["Tetra:Port"] = tetraPort.ToString(CultureInfo.InvariantCulture);
            fleet.Settings["Tetra:Issi"] = RadioNode.DispatcherIssi;
            for (var i = 1; i <= radioVehicles; i++)
            {
                fleet.Settings[string.Create(CultureInfo.InvariantCulture, $"Tetra:Terminals:{1000 + i}")] = string.Create(CultureInfo.InvariantCulture, $"vehicle-{i:00}");
            }
        }

        var nodes = new List<IAsyncDisposable>();
        var summary = new SystemSummary(fleet, TimeProvider.System);
        try
        {
            await output.WriteLineAsync($"Starting FleetControl (REST {fleet.RestUrl}, gRPC {fleet.GrpcUrl}, MQTT 127.0.0.1:{fleet.BrokerPort})...").ConfigureAwait(false);
            await fleet.StartAsync(cancellationToken).ConfigureAwait(false);
            var link = fleet.Tls ? "mTLS (device certificates from FleetControl's CA " + fleet.CaCertificateFile + ")" : "PLAINTEXT (development override)";
            var web = fleet.Tls ? "TLS (server certificate from the same CA)" : "PLAINTEXT (development override)";
            await output.WriteLineAsync($"Links: MQTT 127.0.0.1:{fleet.BrokerPort} {link}; gRPC {fleet.GrpcUrl} {link}; REST and console {fleet.RestUrl} {web}; each device enrols with a one-time token").ConfigureAwait(false);

            for (var i = 1; i <= vehicles; i++)
            {
                var id = string.Create(CultureInfo.InvariantCulture, $"vehicle-{i:00}");
                var vehicleDirectory = Path.Combine(directory, id);
                var gps = new GpsSimulatorNode(outputs, vehicleDirectory, ["--route", i % 2 == 1 ? "hertford" : "bedford"], rate);
                nodes.Add(gps);
                await gps.StartAsync(cancellationToken).ConfigureAwait(false);
                var settings = await fleet.EnrolGatewayAsync(id, vehicleDirectory, cancellationToken).ConfigureAwait(false);
                settings["Gnss:Transport"] = "Serial";
                settings["Gnss:Serial:PortName"] = gps.PtyLink;
                var anpr = i == 1 ? await Anpr.AnprCameraNode.PrepareAsync(outputs, fleet, vehicleDirectory, settings, cancellationToken).ConfigureAwait(false) : null;
                InCarVideoHarness.Apply(settings, vehicleDirectory, i);
                var started = InCarVideoHarness.StartCameras(settings, vehicleDirectory, cameras);
                nodes.AddRange(started);
                RadioNode? radio = null;
                if (i <= radioVehicles)
                {
                    radio = new RadioNode(outputs, vehicleDirectory, string.Create(CultureInfo.InvariantCulture, $"{1000 + i}"), lteCoverage, fleet.BrokerPort, tetraPort);
                    nodes.Add(radio);
                    await radio.StartAsync(cancellationToken).ConfigureAwait(false);
                    radio.Apply(settings);
                    if (i == 1 && emergencyAfter > 0)
                    {
                        _ = PressLaterAsync(radio, TimeSpan.FromSeconds(emergencyAfter), output, cancellationToken);
                    }
                }

                var gateway = new GatewayNode(outputs, id, "Vehicle", vehicleDirectory, fleet.BrokerPort, fleet.GrpcUrl, settings);
                nodes.Add(gateway);
                gateway.Start();
                if (anpr is not null)
                {
                    nodes.Add(anpr); // disposed (stopped) before its gateway
                    anpr.Start();
                }
                summary.AddVehicle(gateway, gps, radio);
                await output.WriteLineAsync($"Started {id}: GPS simulator on {gps.PtyLink}, {started.Count} in-car camera(s){(started.Count < cameras ? " (ffmpeg missing)" : string.Empty)}, gateway (log {gateway.LogFile})").ConfigureAwait(false);
                if (radio is not null)
                {
                    await output.WriteLineAsync($"  {id} radios: LTE modem on {radio.LteLink} (MQTT through its data path, coverage {lteCoverage}), TETRA terminal ISSI {radio.Issi} on {radio.TetraLink}").ConfigureAwait(false);
                }
            }

            for (var i = 1; i <= docks; i++)
            {
                var id = string.Create(CultureInfo.InvariantCulture, $"dock-{i:00}");
                var dockDirectory = Path.Combine(directory, id);
                var bays = Path.Combine(dockDirectory, "bays");
                var simulator = new DockSimulatorNode(outputs, dockDirectory, bays, bigFile);
                nodes.Add(simulator);
                simulator.Start();
                var settings = await fleet.EnrolGatewayAsync(id, dockDirectory, cancellationToken).ConfigureAwait(false);
                settings["Dock:BaysRoot"] = bays;
                settings["Evidence:StagingDirectory"] = Path.Combine(dockDirectory, "staging");
                var gateway = new GatewayNode(outputs, id, "Dock", dockDirectory, fleet.BrokerPort, fleet.GrpcUrl, settings);
                nodes.Add(gateway);
                gateway.Start();
                summary.AddDock(gateway, simulator);
                await output.WriteLineAsync($"Started {id}: dock simulator with 8 bays in {bays}, gateway (log {gateway.LogFile})").ConfigureAwait(false);
            }

            // How to sign in; the secrets stay in their 0600 files and are never printed.
            var rest = fleet.RestUrl;
            var cacert = fleet.Tls ? $" --cacert {fleet.CaCertificateFile}" : string.Empty;
            var trust = fleet.Tls ? $"FLEETCONTROL_CACERT={fleet.CaCertificateFile} " : string.Empty;
            await output.WriteLineAsync($"""
                All running. Data and logs: {directory}.
                  console:  {rest}/console/  user {FleetControlNode.AdminAccount}, password in {fleet.AdminPasswordFile}{(fleet.Tls ? $"\n            (the browser does not know FleetControl's own CA: import {fleet.CaCertificateFile}, or accept the warning once)" : string.Empty)}
                  curl:     curl{cacert} -H "Authorization: Bearer $(cat {fleet.AdminTokenFile})" {rest}/api/devices
                  fleetctl: {trust}FLEETCONTROL_URL={rest} FLEETCONTROL_TOKEN_FILE={fleet.AdminTokenFile} dotnet run --project src/FleetCtl -- devices list
                  more accounts: dotnet src/FleetControl/bin/Release/net10.0/FleetControl.dll accounts add NAME --role viewer --FleetControl:DataDirectory={fleet.DataDirectory}
                (Ctrl+C stops everything)
                """).ConfigureAwait(false);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            stop.CancelAfter(duration);
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(2));
            try
            {
                while (await timer.WaitForNextTickAsync(stop.Token).ConfigureAwait(false))
                {
                    await output.WriteLineAsync(await summary.RenderAsync(stop.Token).ConfigureAwait(false)).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C or --duration: fall through to a clean stop.
            }

            await output.WriteLineAsync("Stopping...").ConfigureAwait(false);
            using var last = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await output.WriteLineAsync(await summary.RenderAsync(last.Token).ConfigureAwait(false)).ConfigureAwait(false);
            return 0;
        }
        finally
        {
            // Devices first (gateways publish their offline status on the way out), FleetControl last.
            for (var i = nodes.Count - 1; i >= 0; i--)
            {
                if (nodes[i] is GatewayNode gateway)
                {
                    await gateway.StopAsync().ConfigureAwait(false);
                }
            }

            for (var i = nodes.Count - 1; i >= 0; i--)
            {
                await nodes[i].DisposeAsync().ConfigureAwait(false);
            }

            await fleet.StopAsync().ConfigureAwait(false);
            await output.WriteLineAsync($"Stopped. Logs are in {directory}.").ConfigureAwait(false);
        }
    }

    private static async Task PressLaterAsync(RadioNode radio, TimeSpan delay, TextWriter output, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            await radio.PressEmergencyAsync().ConfigureAwait(false);
            await output.WriteLineAsync($"vehicle-01: TETRA emergency button pressed (ISSI {radio.Issi})").ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or IOException)
        {
            // Stopping, or the simulator is gone.
        }
    }
}
