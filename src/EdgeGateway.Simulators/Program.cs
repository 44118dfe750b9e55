using System.Runtime.InteropServices;
using EdgeGateway.Cli;
using EdgeGateway.Simulators.Cli;
using EdgeGateway.Simulators.Gps;

namespace EdgeGateway.Simulators;

/// <summary>Simulator CLI entry point: <c>EdgeGateway.Simulators &lt;command&gt; [options]</c>; see README.md.</summary>
internal static class Program
{
    /// <summary>The command table. Adding a command is one line here.</summary>
    internal static readonly IReadOnlyList<SimulatorCommand> Commands =
    [
        new("gps", "simulated GNSS receiver: NMEA 0183 on a pseudo-terminal and/or TCP", GpsCommand.Usage, GpsCommand.RunAsync),
        new("dock", "simulated BWV docking station: cameras with recordings docked into bay folders", "dock --root DIR [--bays 8] [--cameras N] [--recordings R] [--clip-seconds S] [--big-file-size 2GiB] [--pull-after 10s] [--redock-after 5s] [--once]",
            (args, output, ct) => Dock.DockCommand.RunAsync([.. args], output, Console.Error, ct)),
        new("tetra", "simulated TETRA terminal (PEI AT commands) on a pseudo-terminal, linked to FleetControl's TETRA gateway", Modem.TetraCommand.Usage, Modem.TetraCommand.RunAsync),
        new("lte", "simulated LTE (ESN) modem (3GPP TS 27.007 AT commands) on a pseudo-terminal, with coverage scripts", Modem.LteCommand.Usage, Modem.LteCommand.RunAsync),
        new("anpr", "simulated ANPR camera: POSTs reads with real plate and overview JPEGs to a gateway", Anpr.AnprCameraCommand.Usage, Anpr.AnprCameraCommand.RunAsync),
        new("system", "the whole local system: FleetControl, simulated vehicles and docks, live summary", LocalSystem.LocalSystemCommand.Usage, LocalSystem.LocalSystemCommand.RunAsync),
    ];

    public static async Task<int> Main(string[] args)
    {
        using var stop = new CancellationTokenSource();
        // Ctrl+C and SIGTERM end the command cleanly (outputs closed, symlinks removed) instead of killing it.
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        return await RunAsync(args, Console.Out, Console.Error, stop.Token);
    }

    /// <summary>Dispatches <paramref name="args"/> to a command; usable in-process by tests and launchers.</summary>
    internal static Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellationToken) =>
        new CliApplication(
                "EdgeGateway.Simulators",
                "Simulated devices for EdgeGateway (GNSS receiver, BWV dock) and the whole local system",
                Commands.Select(c => new SimulatorVerb(c)),
                defaultVerb: "")
            .RunAsync(args, Console.In, output, error, cancellationToken);
}
