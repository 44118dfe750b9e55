using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace FleetControl.Tests.Infrastructure;

/// <summary>FleetControl as a separate OS process (so a test can kill -9 it).</summary>
internal sealed class FleetControlProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private FleetControlProcess(Process process, int httpPort, string token)
    {
        _process = process;
        Http = BearerHttpClient.Create(new Uri($"http://127.0.0.1:{httpPort}"), token, TimeSpan.FromSeconds(5));
        _process.OutputDataReceived += (_, e) => _output.Enqueue(e.Data ?? string.Empty);
        _process.ErrorDataReceived += (_, e) => _output.Enqueue(e.Data ?? string.Empty);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public HttpClient Http { get; }

    public string Output => string.Join('\n', _output);

    /// <summary>Starts FleetControl.dll; <paramref name="extraArgs"/> come last (later arguments win).</summary>
    public static async Task<FleetControlProcess> StartAsync(string dataDirectory, int mqttPort, params string[] extraArgs)
    {
        var httpPort = FreePort.Next();
        var tokens = await TestAccounts.ProvisionAsync(dataDirectory, extraArgs);
        var dll = Path.Combine(AppContext.BaseDirectory, "FleetControl.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])
        [
            dll,
            $"--FleetControl:DataDirectory={dataDirectory}",
            $"--FleetControl:HttpPort={httpPort}",
            $"--FleetControl:GrpcPort={FreePort.Next()}",
            $"--Mqtt:Port={mqttPort}",
            "--Mqtt:ReconnectDelay=00:00:00.200",
            "--Identity:DevelopmentPlaintext=true", // the named development override: crash tests are about durability
            .. extraArgs,
        ])
        {
            start.ArgumentList.Add(arg);
        }

        var fleet = new FleetControlProcess(Process.Start(start) ?? throw new InvalidOperationException("FleetControl did not start."), httpPort, tokens[global::FleetControl.Auth.Roles.Administrator]);
        try
        {
            await Eventually.UntilAsync(fleet.IsIngestConnectedAsync, "the FleetControl process ingests", TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException ex)
        {
            await fleet.DisposeAsync();
            throw new TimeoutException(ex.Message + "\n" + fleet.Output, ex);
        }

        return fleet;
    }

    public async Task<JsonElement> GetJsonAsync(string path) =>
        await Http.GetFromJsonAsync<JsonElement>(path, TestContext.Current.CancellationToken);

    /// <summary>SIGKILL: no shutdown hooks, no flush, no goodbye.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(Eventually.DefaultTimeout);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(Eventually.DefaultTimeout);
        }

        _process.Dispose();
    }

    private async Task<bool> IsIngestConnectedAsync()
    {
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"FleetControl exited with {_process.ExitCode}:\n{Output}");
        }

        try
        {
            return (await GetJsonAsync("/api/stats")).GetProperty("ingestConnected").GetBoolean();
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (TaskCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
