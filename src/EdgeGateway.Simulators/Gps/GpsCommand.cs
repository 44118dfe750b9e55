using System.Net;
using System.Net.Sockets;
using EdgeGateway.Simulators.Cli;
using EdgeGateway.Simulators.Outputs;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Simulators.Gps;

/// <summary>The <c>gps</c> command: a simulated GNSS receiver on a pseudo-terminal and/or a TCP port.</summary>
internal static class GpsCommand
{
    /// <summary>Usage text.</summary>
    public const string Usage = """
        usage: EdgeGateway.Simulators gps [source] [outputs] [options]
        source (one of):
          --route NAME          drive a built-in loop: hertford (default), bedford
          --replay FILE         replay an NMEA capture ('#' lines skipped, other bytes unchanged)
        outputs (at least one):
          --pty                 create a pseudo-terminal (its /dev/pts path is printed)
          --pty-link PATH       create a pseudo-terminal and a symlink PATH to it (implies --pty)
          --tcp HOST:PORT       serve the stream to every TCP client (PORT 0 = any free port)
          --stdout              also write the NMEA to stdout, after the READY line
        options:
          --rate N              route: fixes per second (default 1); replay: lines per second (default 10)
          --speed-factor X      route: simulated seconds per wall second; replay: multiplies --rate (default 1)
          --count N             stop after N fixes (route) or N lines (replay)
          --once                replay: stop at the end of the file instead of looping
          --talker GP|GN        talker id of generated sentences (default GP)
          --outage-every S      route: lose the fix periodically; every S simulated seconds...
          --outage-for S        ...the last S seconds have no fix (status V, quality 0, empty position)
          --ready-file FILE     also write the READY line to FILE
          --stats-interval S    print a STATS line every S seconds (default 10, 0 = never)
        stdout: one line 'READY pty=<slave> link=<path> tcp=<host:port>' (only the outputs enabled),
        then 'STATS fixes=.. sentences=.. ...' periodically and 'DONE fixes=.. ...' at exit
        (fixes = epochs with a valid fix; replay: GGA lines, or RMC lines if the file has no GGA).
        Stops on Ctrl+C / SIGTERM (removing the symlink), after --count, or at the end of a --once replay.
        example: gps --route hertford --rate 1 --pty-link /tmp/edge-gps0 --tcp 127.0.0.1:10110
        """;

    private static readonly string[] ValueOptions =
        ["--route", "--replay", "--pty-link", "--tcp", "--rate", "--speed-factor", "--count", "--talker", "--ready-file", "--stats-interval",
         "--outage-every", "--outage-for"];

    private static readonly string[] FlagOptions = ["--pty", "--stdout", "--once"];

    /// <summary>Runs the command; see <see cref="Usage"/>.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, CancellationToken cancellationToken)
    {
        var settings = GpsCommandSettings.Parse(CliArguments.Parse(args, ValueOptions, FlagOptions));
        using var loggerFactory = SimulatorLogging.CreateFactory();
        var logger = loggerFactory.CreateLogger("EdgeGateway.Simulators.Gps");
        return await RunAsync(settings, output, TimeProvider.System, logger, cancellationToken);
    }

    /// <summary>Runs with parsed settings; the launcher and tests can call this in-process.</summary>
    public static async Task<int> RunAsync(GpsCommandSettings settings, TextWriter output, TimeProvider timeProvider, ILogger logger, CancellationToken cancellationToken)
    {
        IGpsSentenceSource source;
        if (settings.ReplayFile is { } replayPath)
        {
            NmeaReplayFile file;
            try
            {
                file = NmeaReplayFile.Load(replayPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CliUsageException($"--replay {replayPath}: {e.Message}");
            }

            Log.ReplayLoaded(logger, file.Name, file.Lines.Count, file.FixSentenceType);
            source = new ReplaySentenceSource(file, loop: !settings.Once);
        }
        else
        {
            source = new RouteSentenceSource(settings.Route, settings.Talker, outage: settings.Outage);
        }

        PseudoTerminal? pty = null;
        TcpBroadcastServer? tcp = null;
        try
        {
            var outputs = new List<IByteOutput>();
            try
            {
                if (settings.Pty)
                {
                    pty = PseudoTerminal.Open(settings.PtyLink, logger);
                    outputs.Add(pty);
                }

                if (settings.Tcp is { } endPoint)
                {
                    tcp = TcpBroadcastServer.Start(endPoint, logger);
                    outputs.Add(tcp);
                }
            }
            catch (Exception e) when (e is IOException or SocketException or UnauthorizedAccessException or PlatformNotSupportedException)
            {
                Log.OutputFailed(logger, e.Message);
                await output.WriteLineAsync($"FAILED {e.Message}");
                return 1;
            }

            if (settings.Stdout)
            {
                outputs.Add(new StreamOutput(Console.OpenStandardOutput(), "stdout"));
            }

            var ready = ReadyLine(pty, tcp);
            if (settings.ReadyFile is { } readyFile)
            {
                // Write then rename, so a launcher polling for the file never reads half a line.
                var temporary = readyFile + ".tmp";
                await File.WriteAllTextAsync(temporary, ready + "\n", cancellationToken);
                File.Move(temporary, readyFile, overwrite: true);
            }

            await output.WriteLineAsync(ready);
            await output.FlushAsync(cancellationToken);

            var simulator = new GpsSimulator(
                source,
                settings.ReplayFile is null
                    ? new GpsSimulatorOptions { Rate = settings.Rate, SpeedFactor = settings.SpeedFactor, Count = settings.Count }
                    : new GpsSimulatorOptions { Rate = settings.Rate * settings.SpeedFactor, Count = settings.Count },
                outputs,
                timeProvider,
                logger);
            using var statsStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var stats = settings.StatsInterval > TimeSpan.Zero
                ? PrintStatsAsync(simulator, output, settings.StatsInterval, timeProvider, statsStop.Token)
                : Task.CompletedTask;
            await simulator.RunAsync(cancellationToken);
            await statsStop.CancelAsync();
            await stats;
            await output.WriteLineAsync($"DONE {simulator.Counters}");
            await output.FlushAsync(CancellationToken.None);
            return 0;
        }
        finally
        {
            pty?.Dispose();
            if (tcp is not null)
            {
                await tcp.DisposeAsync();
            }
        }
    }

    /// <summary>The READY line for the outputs that are open; see <see cref="GpsReadyLine"/>.</summary>
    public static string ReadyLine(PseudoTerminal? pty, TcpBroadcastServer? tcp) =>
        new GpsReadyLine(pty?.SlavePath, pty?.LinkPath, tcp?.LocalEndPoint).ToString();

    private static async Task PrintStatsAsync(GpsSimulator simulator, TextWriter output, TimeSpan interval, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await output.WriteLineAsync($"STATS {simulator.Counters}");
                await output.FlushAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
