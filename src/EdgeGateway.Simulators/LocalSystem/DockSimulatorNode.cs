namespace EdgeGateway.Simulators.LocalSystem;

/// <summary>The dock simulator as a child process: cameras docking into bay folders.</summary>
internal sealed class DockSimulatorNode : IAsyncDisposable
{
    private readonly BuildOutputs _outputs;
    private readonly string[] _arguments;
    private ManagedProcess? _process;

    /// <param name="outputs">Where the built simulators are.</param>
    /// <param name="directory">Folder for the log.</param>
    /// <param name="baysRoot">The bay folders the gateway watches (Dock:BaysRoot).</param>
    /// <param name="bigFileSize">Size of each camera's large recording, e.g. "256MiB"; "0" for none.</param>
    public DockSimulatorNode(BuildOutputs outputs, string directory, string baysRoot, string bigFileSize)
    {
        _outputs = outputs;
        LogFile = Path.Combine(Path.GetFullPath(directory), "dock-simulator.log");
        _arguments = ["dock", "--root", baysRoot, "--bays", "8", "--cameras", "12", "--recordings", "3", "--clip-seconds", "5", "--critical-every", "3"];
        if (bigFileSize != "0")
        {
            _arguments = [.. _arguments, "--big-file-size", bigFileSize, "--big-every", "3"];
        }
    }

    public string LogFile { get; }

    /// <summary>The last line the simulator printed (what it docked or undocked).</summary>
    public string LastEvent { get; private set; } = string.Empty;

    public void Start()
    {
        _process = ManagedProcess.Start("dock-simulator", _outputs.Simulators, _arguments, null, LogFile);
        _process.OutputLine += line =>
        {
            if (line.StartsWith("bay ", StringComparison.Ordinal) || line.StartsWith("dock:", StringComparison.Ordinal))
            {
                LastEvent = line;
            }
        };
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.StopAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            await _process.DisposeAsync().ConfigureAwait(false);
        }
    }
}
