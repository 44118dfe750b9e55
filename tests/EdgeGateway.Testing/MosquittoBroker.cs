using System.Diagnostics;
using System.Net.Sockets;

namespace EdgeGateway.Testing;

/// <summary>
/// A real mosquitto (/usr/sbin/mosquitto) on a free loopback port with persistence on, in a temp
/// directory. Stop (SIGTERM, so it saves its state) and start again on the same port.
/// </summary>
public sealed class MosquittoBroker : IAsyncDisposable
{
    public const string Executable = "/usr/sbin/mosquitto";

    /// <summary>mosquitto's dynamic security plugin (Debian ships it in the mosquitto package, under the multiarch library folder).</summary>
    public static string DynamicSecurityPlugin =>
        Directory.EnumerateDirectories("/usr/lib").Select(d => Path.Combine(d, "mosquitto_dynamic_security.so")).FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("mosquitto_dynamic_security.so is missing; install the Debian package 'mosquitto' (test.sh does).");

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "eg-mosquitto-" + Guid.NewGuid().ToString("N"));
    private Process? _process;

    private MosquittoBroker(int port) => Port = port;

    public int Port { get; }

    private string ConfigPath => Path.Combine(_directory, "mosquitto.conf");

    /// <param name="allowAnonymous">mosquitto's allow_anonymous.</param>
    /// <param name="listenerSettings">
    /// Lines for the listener (e.g. cafile/certfile/keyfile/require_certificate for mutual TLS, an acl_file);
    /// the broker's temporary folder is passed in so files can be put there.
    /// </param>
    public static async Task<MosquittoBroker> StartAsync(bool allowAnonymous = true, Func<string, string>? listenerSettings = null)
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"{Executable} is missing; install the Debian package 'mosquitto' (test.sh does).");
        }

        var broker = new MosquittoBroker(FreePort.Next());
        Directory.CreateDirectory(broker._directory);
        await File.WriteAllTextAsync(broker.ConfigPath, $"""
            listener {broker.Port} 127.0.0.1
            {listenerSettings?.Invoke(broker._directory) ?? string.Empty}
            allow_anonymous {(allowAnonymous ? "true" : "false")}
            persistence true
            persistence_location {broker._directory}/
            autosave_interval 1
            max_queued_messages 1000000
            max_inflight_messages 100
            user {Environment.UserName}
            log_dest stdout
            """);
        await broker.StartAgainAsync();
        return broker;
    }

    public async Task StartAgainAsync()
    {
        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(ConfigPath);
        var process = Process.Start(info) ?? throw new InvalidOperationException("mosquitto did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        await Eventually.TrueAsync(() => process.HasExited || Accepts(), TimeSpan.FromSeconds(15), "mosquitto is listening");
        if (process.HasExited)
        {
            throw new InvalidOperationException($"mosquitto exited with code {process.ExitCode}");
        }
    }

    /// <summary>The broker's process id (for a reload signal sent the way an operator or FleetControl would).</summary>
    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("mosquitto is not running");

    /// <summary>SIGTERM: mosquitto saves its persistence file and exits.</summary>
    public async Task StopAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            if (!process.HasExited)
            {
                using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                {
                    await kill.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
                }

                try
                {
                    await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
                }
                catch (TimeoutException)
                {
                    process.Kill();
                    await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
                }
            }

            process.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private bool Accepts()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect("127.0.0.1", Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
