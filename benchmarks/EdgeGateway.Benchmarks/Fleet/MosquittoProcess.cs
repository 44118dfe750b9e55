using System.Diagnostics;
using System.Net.Sockets;

namespace EdgeGateway.Benchmarks.Fleet;

/// <summary>A mosquitto 2 (Debian's /usr/sbin/mosquitto) on a free loopback port for one fleet run, no persistence.</summary>
internal sealed class MosquittoProcess : IAsyncDisposable
{
    private readonly Process _process;

    private MosquittoProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public int Pid => _process.Id;

    public static async Task<MosquittoProcess> StartAsync(string directory)
    {
        var port = HarnessSupport.FreePort();
        var config = Path.Combine(directory, "mosquitto.conf");
        await File.WriteAllTextAsync(config, $"""
            listener {port} 127.0.0.1
            allow_anonymous true
            persistence false
            max_queued_messages 1000000
            max_inflight_messages 100
            set_tcp_nodelay true
            user {Environment.UserName}
            log_dest none
            """);
        var info = new ProcessStartInfo("/usr/sbin/mosquitto") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(config);
        var process = Process.Start(info) ?? throw new InvalidOperationException("mosquitto did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) { Console.Error.WriteLine("  mosquitto: " + line); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port);
                break;
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(20) && !process.HasExited)
            {
                await Task.Delay(50);
            }
        }

        return new MosquittoProcess(process, port);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        _process.Dispose();
    }
}
