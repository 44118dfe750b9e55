using System.Diagnostics;
using System.Net.Sockets;

namespace FleetControl.Tests.Infrastructure;

/// <summary>A real mosquitto on 127.0.0.1 and a free port, persistence on, in a temp directory.</summary>
internal sealed class MosquittoProcess : IAsyncDisposable
{
    private readonly Process _process;

    private MosquittoProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public static async Task<MosquittoProcess> StartAsync(string directory, bool allowAnonymous = true)
    {
        var executable = Locate()
            ?? throw new InvalidOperationException("mosquitto is not installed (expected /usr/sbin/mosquitto); test.sh installs it.");
        var port = FreePort.Next();
        var config = Path.Combine(directory, "mosquitto.conf");
        var persistence = Path.Combine(directory, "persistence") + Path.DirectorySeparatorChar;
        Directory.CreateDirectory(persistence);
        await File.WriteAllLinesAsync(
            config,
            [
                $"listener {port} 127.0.0.1",
                $"allow_anonymous {(allowAnonymous ? "true" : "false")}",
                "persistence true",
                $"persistence_location {persistence}",
                "max_queued_messages 100000",
                // When run as root, mosquitto would otherwise switch to a 'mosquitto' user that cannot write the temp dir.
                $"user {Environment.UserName}",
            ],
            TestContext.Current.CancellationToken);

        var process = Process.Start(new ProcessStartInfo(executable, ["-c", config])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("mosquitto did not start.");
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();

        var broker = new MosquittoProcess(process, port);
        try
        {
            await Wait.UntilAsync(async () => process.HasExited ? throw new InvalidOperationException($"mosquitto exited with {process.ExitCode}") : await AcceptsAsync(port), $"mosquitto listens on {port}");
        }
        catch
        {
            await broker.DisposeAsync();
            throw;
        }

        return broker;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync(CancellationToken.None).WaitAsync(Wait.Timeout);
        }

        _process.Dispose();
    }

    private static string? Locate()
    {
        if (File.Exists("/usr/sbin/mosquitto"))
        {
            return "/usr/sbin/mosquitto";
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        return path.Split(Path.PathSeparator).Select(p => Path.Combine(p, "mosquitto")).FirstOrDefault(File.Exists);
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port, TestContext.Current.CancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
