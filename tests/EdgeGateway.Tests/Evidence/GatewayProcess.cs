using System.Collections.Concurrent;
using System.Diagnostics;

namespace EdgeGateway.Tests.Evidence;

/// <summary>The real gateway binary (EdgeGateway.dll next to the tests) as a child process, configured through environment variables.</summary>
internal sealed class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;

    private GatewayProcess(Process process) => _process = process;

    public ConcurrentQueue<string> Output { get; } = new();

    public static GatewayProcess Start(IReadOnlyDictionary<string, string?> settings, string workingDirectory)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(GatewayDll());
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        var process = Process.Start(start) ?? throw new InvalidOperationException("gateway did not start");
        var gateway = new GatewayProcess(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { gateway.Output.Enqueue(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { gateway.Output.Enqueue(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return gateway;
    }

    /// <summary>
    /// The gateway's own build output (its runtimeconfig and deps), found from the repository root;
    /// the copy next to the tests lacks the framework references it needs to run on its own.
    /// </summary>
    private static string GatewayDll()
    {
        var bin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = bin.Name;
        var configuration = bin.Parent!.Name;
        var root = bin;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "EdgeGateway.sln")))
        {
            root = root.Parent;
        }

        var dll = Path.Combine(root?.FullName ?? throw new InvalidOperationException("EdgeGateway.sln not found above the tests"),
            "src", "EdgeGateway", "bin", configuration, framework, "EdgeGateway.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("build src/EdgeGateway first", dll);
    }

    public bool HasExited => _process.HasExited;

    public string Log => string.Join('\n', Output.TakeLast(40));

    /// <summary>SIGKILL, the whole tree: no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
    }
}
