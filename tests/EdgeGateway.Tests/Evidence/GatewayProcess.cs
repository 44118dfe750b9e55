using EdgeGateway.Simulators.LocalSystem;

namespace EdgeGateway.Tests.Evidence;

/// <summary>
/// The real gateway binary as a child process, configured through environment variables, so the
/// crash tests can SIGKILL it. Started the way the launcher and end-to-end tests start it
/// (<see cref="ManagedProcess"/>, <see cref="BuildOutputs"/>).
/// </summary>
internal sealed class GatewayProcess : IAsyncDisposable
{
    private readonly ManagedProcess _process;

    private GatewayProcess(ManagedProcess process) => _process = process;

    public static GatewayProcess Start(IReadOnlyDictionary<string, string?> settings, string workingDirectory)
    {
        var environment = settings
            .Where(s => s.Value is not null)
            .ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!);
        return new GatewayProcess(ManagedProcess.Start(
            "gateway", BuildOutputs.Locate().Gateway, [], environment, Path.Combine(workingDirectory, "gateway.log"), workingDirectory));
    }

    public bool HasExited => _process.HasExited;

    /// <summary>The last lines the gateway wrote, for assertion messages.</summary>
    public string Log => _process.RecentOutput();

    /// <summary>The exit code, once <see cref="HasExited"/>.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Waits for the gateway to exit by itself.</summary>
    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public Task KillAsync() => _process.KillAsync();

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
