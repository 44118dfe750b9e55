using System.Runtime.InteropServices;
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
    internal static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (args.Count == 0 || args[0] is "-h" or "--help" or "help")
        {
            (args.Count == 0 ? error : output).WriteLine(OverallUsage());
            return args.Count == 0 ? 2 : 0;
        }

        var command = Commands.FirstOrDefault(c => string.Equals(c.Name, args[0], StringComparison.Ordinal));
        if (command is null)
        {
            error.WriteLine($"error: unknown command '{args[0]}'");
            error.WriteLine(OverallUsage());
            return 2;
        }

        var rest = args.Skip(1).ToArray();
        if (rest.Any(a => a is "-h" or "--help"))
        {
            output.WriteLine(command.Usage);
            return 0;
        }

        try
        {
            return await command.Handler(rest, output, cancellationToken);
        }
        catch (CliUsageException e)
        {
            error.WriteLine($"error: {e.Message}");
            error.WriteLine(command.Usage);
            return 2;
        }
        catch (CliFailureException e)
        {
            error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    private static string OverallUsage()
    {
        var lines = Commands.Select(c => $"  {c.Name,-8} {c.Summary}");
        return "usage: EdgeGateway.Simulators <command> [options]   (<command> --help for its options)\ncommands:\n"
            + string.Join('\n', lines);
    }
}
