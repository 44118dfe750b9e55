using System.Globalization;
using System.Text.RegularExpressions;

namespace EdgeGateway.Simulators.LocalSystem;

/// <summary>
/// The GPS simulator as a child process writing NMEA to a pseudo-terminal; the gateway opens the
/// symlinked tty through System.IO.Ports like a real receiver's.
/// </summary>
internal sealed partial class GpsSimulatorNode : IAsyncDisposable
{
    private readonly BuildOutputs _outputs;
    private readonly string[] _arguments;
    private ManagedProcess? _process;
    private long _fixes;

    /// <param name="outputs">Where the built simulators are.</param>
    /// <param name="directory">Folder for the pty link and the log.</param>
    /// <param name="source">e.g. <c>["--route", "hertford"]</c> or <c>["--replay", FILE]</c>.</param>
    /// <param name="rate">Fixes (route) or lines (replay) per second.</param>
    public GpsSimulatorNode(BuildOutputs outputs, string directory, IEnumerable<string> source, double rate)
    {
        _outputs = outputs;
        var full = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(full);
        PtyLink = Path.Combine(full, "gps.tty");
        LogFile = Path.Combine(full, "gps-simulator.log");
        _arguments = ["gps", .. source, "--rate", rate.ToString(CultureInfo.InvariantCulture), "--pty-link", PtyLink, "--stats-interval", "1"];
    }

    /// <summary>The symlink to the pty slave: what the gateway's Gnss:Serial:PortName names.</summary>
    public string PtyLink { get; }

    public string LogFile { get; }

    /// <summary>Fixes produced so far (from the simulator's STATS lines).</summary>
    public long Fixes => Interlocked.Read(ref _fixes);

    /// <summary>Starts the simulator and waits (bounded) for its READY line.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _process = ManagedProcess.Start("gps-simulator", _outputs.Simulators, _arguments, null, LogFile);
        _process.OutputLine += line =>
        {
            var match = FixesPattern().Match(line);
            if (match.Success)
            {
                Interlocked.Exchange(ref _fixes, long.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture));
            }
        };
        await _process.WaitForOutputAsync(l => l.StartsWith("READY ", StringComparison.Ordinal), TimeSpan.FromSeconds(60), cancellationToken)
            .ConfigureAwait(false);
    }

    public Task StopAsync() => _process?.StopAsync(TimeSpan.FromSeconds(10)) ?? Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            await _process.DisposeAsync().ConfigureAwait(false);
        }
    }

    [GeneratedRegex(@"^(?:STATS|DONE) .*\bfixes=(\d+)")]
    private static partial Regex FixesPattern();
}
