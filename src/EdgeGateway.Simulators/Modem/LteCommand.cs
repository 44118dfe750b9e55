using System.Globalization;
using System.Net;
using EdgeGateway.Simulators.Cli;

namespace EdgeGateway.Simulators.Modem;

/// <summary>The <c>lte</c> command: a simulated LTE (ESN) modem on a pseudo-terminal, with coverage scripts.</summary>
internal static class LteCommand
{
    /// <summary>Usage text.</summary>
    public const string Usage = """
        usage: EdgeGateway.Simulators lte --pty-link PATH [options]
        An LTE modem's AT interface (3GPP TS 27.007: +CEREG, +CESQ, +CSQ, +COPS, +CGATT, +CGPADDR) on a pseudo-terminal.
          --pty-link PATH       create the pseudo-terminal and a symlink PATH to it
          --no-echo             start with echo off (ATE0)
          --reply-delay-ms N    delay before each reply (default 20)
          --coverage SCRIPT     coverage changes, e.g. lost@60,ok@660 (a ten-minute tunnel) or poor@30,ok@90
          --stats-interval S    print a STATS line every S seconds (default 10, 0 = never)
          --data-path L=T       the modem's data path: relay TCP from L (HOST:PORT) to T (HOST:PORT) while in
                                coverage; lost coverage cuts it (point the gateway's Mqtt:Port at L)
          --replay PATH         answer the commands recorded in PATH (a .dump capture, a traffic recording
                                or a directory of them) with the recorded replies, byte for byte
                                (malformed ones too); its unsolicited lines follow the first command
        stdin (one per line): coverage good | coverage poor | coverage lost
        stdout: 'READY pty=<slave> link=<path>', then STATS lines, 'DONE ...' at exit.
        """;

    private static readonly string[] ValueOptions = ["--pty-link", "--reply-delay-ms", "--coverage", "--stats-interval", "--replay", "--data-path"];

    private static readonly string[] FlagOptions = ["--no-echo"];

    /// <summary>Runs the command; see <see cref="Usage"/>.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, CancellationToken cancellationToken)
    {
        var cli = CliArguments.Parse(args, ValueOptions, FlagOptions);
        var link = cli.GetString("--pty-link") ?? throw new CliUsageException("--pty-link is required");
        var delay = TimeSpan.FromMilliseconds(cli.GetInt64("--reply-delay-ms", 0, 10_000) ?? 20);
        var script = ParseCoverage(cli.GetString("--coverage"));
        var statsInterval = TimeSpan.FromSeconds(cli.GetDouble("--stats-interval", 10, 0, 86_400));

        LteModem? modem = null;
        DuplexPty pty;
        try
        {
            pty = DuplexPty.Open(link, bytes => modem?.Feed(bytes));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            await output.WriteLineAsync($"FAILED {e.Message}");
            return 1;
        }

        using (pty)
        {
            modem = new LteModem(!cli.Has("--no-echo"), delay, bytes => pty.Write(bytes.Span), TimeProvider.System) { Replay = ModemCli.LoadReplay(cli) };
            await using var dataPath = ParseDataPath(cli.GetString("--data-path"));
            dataPath?.Start();
            modem.CoverageChanged += coverage => dataPath?.SetUp(coverage != LteCoverage.Lost);
            await output.WriteLineAsync($"READY pty={pty.SlavePath} link={link}{(dataPath is null ? string.Empty : $" data_port={dataPath.Port}")}");
            await output.FlushAsync(cancellationToken);
            var tasks = new List<Task> { modem.RunAsync(cancellationToken), ReadControlAsync(modem, output, cancellationToken) };
            if (dataPath is not null)
            {
                tasks.Add(dataPath.RunAsync(cancellationToken));
            }

            foreach (var (at, coverage) in script)
            {
                tasks.Add(ModemCli.AfterAsync(at, () => modem.SetCoverage(coverage), cancellationToken));
            }

            if (statsInterval > TimeSpan.Zero)
            {
                tasks.Add(ModemCli.StatsAsync(output, statsInterval, () => $"{modem.Counters} {dataPath?.Counters}", cancellationToken));
            }

            try
            {
                await Task.WhenAll(tasks);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }

            await output.WriteLineAsync($"DONE {modem.Counters}");
            return 0;
        }
    }

    private static LteDataPath? ParseDataPath(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var parts = text.Split('=');
        return parts.Length == 2 && IPEndPoint.TryParse(parts[0], out var listen) && IPEndPoint.TryParse(parts[1], out var target)
            ? new LteDataPath(listen, target)
            : throw new CliUsageException($"--data-path {text}: expected LISTEN=TARGET, both HOST:PORT with numeric addresses");
    }

    /// <summary><c>lost@60,ok@660</c>: coverage at seconds after start (<c>ok</c> = good).</summary>
    internal static List<(TimeSpan At, LteCoverage Coverage)> ParseCoverage(string? script)
    {
        var steps = new List<(TimeSpan, LteCoverage)>();
        foreach (var step in (script ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = step.Split('@');
            if (parts.Length != 2 || Coverage(parts[0]) is not { } coverage
                || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds < 0)
            {
                throw new CliUsageException($"--coverage {script}: expected steps like lost@60,ok@660");
            }

            steps.Add((TimeSpan.FromSeconds(seconds), coverage));
        }

        return steps;
    }

    private static LteCoverage? Coverage(string name) => name switch
    {
        "ok" or "good" => LteCoverage.Good,
        "poor" => LteCoverage.Poor,
        "lost" => LteCoverage.Lost,
        _ => null,
    };

    private static async Task ReadControlAsync(LteModem modem, TextWriter output, CancellationToken cancellationToken)
    {
        await Task.Yield();
        while (!cancellationToken.IsCancellationRequested && await Console.In.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["coverage", var name] && Coverage(name) is { } coverage)
            {
                modem.SetCoverage(coverage);
            }
            else
            {
                lock (output)
                {
                    output.WriteLine($"UNKNOWN {line}");
                }
            }
        }
    }
}
