using System.Globalization;
using System.Net;
using System.Text;
using EdgeGateway.Contracts.Tetra;
using EdgeGateway.Simulators.Cli;

namespace EdgeGateway.Simulators.Modem;

/// <summary>The <c>tetra</c> command: a simulated TETRA terminal on a pseudo-terminal, and its network.</summary>
internal static class TetraCommand
{
    /// <summary>Usage text.</summary>
    public const string Usage = """
        usage: EdgeGateway.Simulators tetra --pty-link PATH [options]
        A TETRA terminal's PEI (ETSI EN 300 392-5) on a pseudo-terminal, plus the network behind it: SDS the
        gateway sends to the dispatcher ISSI go to FleetControl's TETRA gateway (--swmi), and what FleetControl
        sends back (SDS-TL reports) arrives as +CTSDSR.
          --pty-link PATH       create the pseudo-terminal and a symlink PATH to it
          --issi N              the terminal's ISSI (default 1001)
          --dispatcher N        the ISSI of FleetControl's TETRA gateway (default 9000)
          --swmi HOST:PORT      FleetControl's TETRA gateway link (FleetControl:Tetra:Port); reconnects every second
          --no-echo             start with echo off (ATE0)
          --no-prompt           take AT+CMGS user data without a '>' prompt
          --reply-delay-ms N    delay before each reply (default 20)
          --air-time-ms N       time an SDS takes to reach the network (default 100)
          --emergency-after S   press the emergency button S seconds after start
          --coverage SCRIPT     coverage changes, e.g. lost@30,ok@90 (seconds after start)
          --ready-file FILE     also write the READY line to FILE
          --stats-interval S    print a STATS line every S seconds (default 10, 0 = never)
          --replay PATH         answer the commands recorded in PATH (a .dump capture, a traffic recording
                                or a directory of them) with the recorded replies, byte for byte
                                (malformed ones too); its unsolicited lines follow the first command
        stdin (one per line): emergency | status N | send-status N | coverage on | coverage off | text ISSI MESSAGE
          (status N: the terminal reports status N to the gateway on PEI; send-status N: the officer sends
          status N over the air to the dispatcher, i.e. FleetControl's TETRA gateway)
        stdout: 'READY pty=<slave> link=<path>', then STATS lines, 'EMERGENCY' per press, 'DONE ...' at exit.
        """;

    private static readonly string[] ValueOptions =
        ["--pty-link", "--issi", "--dispatcher", "--swmi", "--reply-delay-ms", "--air-time-ms", "--emergency-after", "--coverage", "--ready-file", "--stats-interval", "--replay"];

    private static readonly string[] FlagOptions = ["--no-echo", "--no-prompt"];

    /// <summary>Runs the command; see <see cref="Usage"/>.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, CancellationToken cancellationToken)
    {
        var cli = CliArguments.Parse(args, ValueOptions, FlagOptions);
        var link = cli.GetString("--pty-link") ?? throw new CliUsageException("--pty-link is required");
        var issi = Identity(cli, "--issi", "1001");
        var dispatcher = Identity(cli, "--dispatcher", "9000");
        IPEndPoint? swmi = null;
        if (cli.GetString("--swmi") is { } swmiText && !IPEndPoint.TryParse(swmiText, out swmi))
        {
            throw new CliUsageException($"--swmi {swmiText}: expected HOST:PORT with a numeric address");
        }

        var options = new TetraTerminalOptions
        {
            Issi = issi,
            Echo = !cli.Has("--no-echo"),
            Prompt = !cli.Has("--no-prompt"),
            ReplyDelay = TimeSpan.FromMilliseconds(cli.GetInt64("--reply-delay-ms", 0, 10_000) ?? 20),
            AirTime = TimeSpan.FromMilliseconds(cli.GetInt64("--air-time-ms", 0, 60_000) ?? 100),
        };
        var emergencyAfter = cli.GetInt64("--emergency-after", 0, 86_400);
        var coverage = ParseCoverage(cli.GetString("--coverage"));
        var statsInterval = TimeSpan.FromSeconds(cli.GetDouble("--stats-interval", 10, 0, 86_400));

        TetraTerminal? terminal = null;
        DuplexPty pty;
        try
        {
            pty = DuplexPty.Open(link, bytes => terminal?.Feed(bytes));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            await output.WriteLineAsync($"FAILED {e.Message}");
            return 1;
        }

        using (pty)
        {
            terminal = new TetraTerminal(options, bytes => pty.Write(bytes.Span), TimeProvider.System) { Replay = ModemCli.LoadReplay(cli) };
            SwmiClient? network = null;
            if (swmi is not null)
            {
                network = new SwmiClient(swmi, (calling, called, data) =>
                {
                    if (called == issi)
                    {
                        terminal.DeliverSds(calling, data);
                    }
                });
            }

            terminal.SdsSent += (destination, data) =>
            {
                if (destination == dispatcher)
                {
                    network?.Send(issi, dispatcher, data);
                }
            };

            var ready = $"READY pty={pty.SlavePath} link={link}";
            if (cli.GetString("--ready-file") is { } readyFile)
            {
                await File.WriteAllTextAsync(readyFile + ".tmp", ready + "\n", cancellationToken);
                File.Move(readyFile + ".tmp", readyFile, overwrite: true);
            }

            await output.WriteLineAsync(ready);
            await output.FlushAsync(cancellationToken);

            var tasks = new List<Task> { terminal.RunAsync(cancellationToken), ReadControlAsync(terminal, status => network?.SendStatus(issi, dispatcher, status), output, cancellationToken) };
            if (network is not null)
            {
                tasks.Add(network.RunAsync(cancellationToken));
            }

            if (emergencyAfter is { } seconds)
            {
                tasks.Add(ModemCli.AfterAsync(TimeSpan.FromSeconds(seconds), () => Press(terminal, output), cancellationToken));
            }

            foreach (var (at, registered) in coverage)
            {
                tasks.Add(ModemCli.AfterAsync(at, () => terminal.SetCoverage(registered), cancellationToken));
            }

            if (statsInterval > TimeSpan.Zero)
            {
                tasks.Add(ModemCli.StatsAsync(output, statsInterval, () => $"{terminal.Counters} {network?.Counters} pty_dropped={pty.Dropped}", cancellationToken));
            }

            try
            {
                await Task.WhenAll(tasks);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }

            await output.WriteLineAsync($"DONE {terminal.Counters} {network?.Counters}");
            await output.FlushAsync(CancellationToken.None);
            return 0;
        }
    }

    private static void Press(TetraTerminal terminal, TextWriter output)
    {
        terminal.PressEmergency();
        lock (output)
        {
            output.WriteLine("EMERGENCY");
            output.Flush();
        }
    }

    /// <summary>Control lines on stdin; ends quietly when stdin closes.</summary>
    private static async Task ReadControlAsync(TetraTerminal terminal, Action<ushort> sendStatus, TextWriter output, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var input = Console.In;
        while (!cancellationToken.IsCancellationRequested && await input.ReadLineAsync(cancellationToken) is { } line)
        {
            var parts = line.Trim().Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
            switch (parts)
            {
                case ["emergency"]:
                    Press(terminal, output);
                    break;
                case ["status", var value] when ushort.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var status):
                    terminal.PressEmergency(status);
                    break;
                case ["send-status", var value] when ushort.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var status):
                    sendStatus(status);
                    break;
                case ["coverage", "on"]:
                    terminal.SetCoverage(true);
                    break;
                case ["coverage", "off"]:
                    terminal.SetCoverage(false);
                    break;
                case ["text", var from, var message]:
                    // Coding scheme 0x01 (ISO 8859-1) after the SDS-TL header, asking for a receipt report.
                    var text = Encoding.Latin1.GetBytes(message);
                    terminal.DeliverSds(from, SdsTl.EncodeTransfer(SdsTl.TextMessagingPid, 1, 1, [0x01, .. text]));
                    break;
                default:
                    lock (output)
                    {
                        output.WriteLine($"UNKNOWN {line}");
                    }

                    break;
            }
        }
    }

    private static string Identity(CliArguments cli, string name, string fallback)
    {
        var value = cli.GetString(name) ?? fallback;
        return value.Length is > 0 and <= 24 && value.All(char.IsAsciiDigit)
            ? value
            : throw new CliUsageException($"{name} {value}: expected the ISSI digits");
    }

    /// <summary><c>lost@30,ok@90</c>: coverage changes at seconds after start.</summary>
    internal static List<(TimeSpan At, bool Registered)> ParseCoverage(string? script)
    {
        var steps = new List<(TimeSpan, bool)>();
        if (string.IsNullOrWhiteSpace(script))
        {
            return steps;
        }

        foreach (var step in script.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = step.Split('@');
            if (parts.Length != 2 || parts[0] is not ("lost" or "ok")
                || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds < 0)
            {
                throw new CliUsageException($"--coverage {script}: expected steps like lost@30,ok@90");
            }

            steps.Add((TimeSpan.FromSeconds(seconds), parts[0] == "ok"));
        }

        return steps;
    }
}
