using EdgeGateway.Simulators.Cli;

namespace EdgeGateway.Simulators.Modem;

/// <summary>What the modem simulator commands share: scheduled actions and STATS lines.</summary>
internal static class ModemCli
{
    /// <summary>Runs <paramref name="action"/> after <paramref name="delay"/>.</summary>
    public static async Task AfterAsync(TimeSpan delay, Action action, CancellationToken cancellationToken)
    {
        await Task.Delay(delay, cancellationToken);
        action();
    }

    /// <summary>Prints <c>STATS ...</c> every <paramref name="interval"/>.</summary>
    public static async Task StatsAsync(TextWriter output, TimeSpan interval, Func<string> counters, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval);
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            lock (output)
            {
                output.WriteLine($"STATS {counters()}");
                output.Flush();
            }
        }
    }

    /// <summary>The recording named by <c>--replay</c>, or null; a missing path is a usage error.</summary>
    public static AtRecording? LoadReplay(CliArguments cli)
    {
        if (cli.GetString("--replay") is not { } path)
        {
            return null;
        }

        if (!File.Exists(path) && !Directory.Exists(path))
        {
            throw new CliUsageException($"--replay {path}: no such file or directory");
        }

        return AtRecording.Load(path);
    }
}
