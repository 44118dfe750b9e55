using System.Diagnostics;

namespace EdgeGateway.Simulators.LocalSystem;

/// <summary>
/// One child process of the local system (FleetControl, a gateway, a simulator): started with
/// <c>dotnet ASSEMBLY</c>, its output teed to a log file, stopped with SIGTERM (graceful) or SIGKILL
/// (a power cut). Used by the launcher and by the end-to-end tests, so both run the system alike.
/// </summary>
internal sealed class ManagedProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Lock _gate = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Done)> _waiters = [];
    private readonly Queue<string> _recent = new();
    private bool _disposed;

    private ManagedProcess(string name, Process process, StreamWriter log)
    {
        Name = name;
        _process = process;
        _log = log;
    }

    /// <summary>A short name for logs and summaries, e.g. "gateway vehicle-01".</summary>
    public string Name { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Raised for every line the process writes to stdout or stderr.</summary>
    public event Action<string>? OutputLine;

    /// <summary>
    /// Starts <c>dotnet <paramref name="assembly"/> <paramref name="arguments"/></c>, or, when <paramref name="assembly"/> is
    /// not a <c>.dll</c> (a published native executable, e.g. the NativeAOT gateway), that executable itself.
    /// </summary>
    public static ManagedProcess Start(
        string name,
        string assembly,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment,
        string logFile,
        string? workingDirectory = null)
    {
        var native = !assembly.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        var info = new ProcessStartInfo(native ? assembly : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetDirectoryName(assembly)!,
        };
        if (!native)
        {
            info.ArgumentList.Add(assembly);
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // Children must not inherit a test host's or launcher's own settings by accident.
        info.Environment["DOTNET_ENVIRONMENT"] = "Production";
        info.Environment["DOTNET_NOLOGO"] = "1";

        // Nor this machine's installed site configuration (/etc/edgegateway, /etc/fleetcontrol): a folder that does not exist.
        var noSiteConfig = Path.Combine(Path.GetTempPath(), "edgegateway-no-site-config");
        info.Environment["EDGEGATEWAY_CONFIG_DIR"] = noSiteConfig;
        info.Environment["FLEETCONTROL_CONFIG_DIR"] = noSiteConfig;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logFile))!);
        var log = new StreamWriter(logFile, append: true) { AutoFlush = true };
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var managed = new ManagedProcess(name, process, log);
        process.OutputDataReceived += (_, e) => managed.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => managed.OnLine(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start {name} ({assembly}).");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return managed;
    }

    /// <summary>Waits (bounded) for an output line matching <paramref name="match"/>; returns it.</summary>
    public async Task<string> WaitForOutputAsync(Func<string, bool> match, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var done = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            var seen = _recent.FirstOrDefault(match);
            if (seen is not null)
            {
                return seen;
            }

            _waiters.Add((match, done));
        }

        try
        {
            var exited = _process.WaitForExitAsync(cancellationToken);
            var first = await Task.WhenAny(done.Task, exited).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            if (first == done.Task)
            {
                return await done.Task.ConfigureAwait(false);
            }

            // The line may have arrived just before exit.
            return done.Task.IsCompleted
                ? await done.Task.ConfigureAwait(false)
                : throw new InvalidOperationException($"{Name} exited with code {_process.ExitCode} before the expected output.\n{RecentOutput()}");
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Name} did not print the expected output within {timeout}.\n{RecentOutput()}");
        }
    }

    /// <summary>Waits until the process exits (a one-shot command); bound it with the token.</summary>
    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    /// <summary>Writes one line to the process's standard input (e.g. a simulator's control commands).</summary>
    public async Task WriteLineAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line).ConfigureAwait(false);
        await _process.StandardInput.FlushAsync().ConfigureAwait(false);
    }

    /// <summary>The last lines the process wrote, for diagnostics.</summary>
    public string RecentOutput()
    {
        lock (_gate)
        {
            return string.Join('\n', _recent);
        }
    }

    /// <summary>SIGTERM, then waits up to <paramref name="grace"/>; SIGKILL if it has not exited.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return;
        }

        PosixSignals.Send(_process.Id, PosixSignals.SigTerm);
        try
        {
            await _process.WaitForExitAsync().WaitAsync(grace).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await KillAsync().ConfigureAwait(false);
        }
    }

    /// <summary>SIGKILL: no shutdown code runs, as in a power cut.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        PosixSignals.Send(_process.Id, PosixSignals.SigKill);
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync().ConfigureAwait(false);
        _process.Dispose();
        lock (_gate)
        {
            _disposed = true;
            _log.Dispose();
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        List<TaskCompletionSource<string>>? matched = null;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _log.WriteLine(line);
            _recent.Enqueue(line);
            if (_recent.Count > 200)
            {
                _recent.Dequeue();
            }

            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(line))
                {
                    (matched ??= []).Add(_waiters[i].Done);
                    _waiters.RemoveAt(i);
                }
            }
        }

        matched?.ForEach(t => t.TrySetResult(line));
        OutputLine?.Invoke(line);
    }
}
