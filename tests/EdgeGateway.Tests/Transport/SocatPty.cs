using System.Diagnostics;

namespace EdgeGateway.Tests.Transport;

/// <summary>
/// A real pseudo-terminal made by socat: the gateway opens <see cref="Path"/> as a serial port, the
/// test writes bytes into socat's stdin. Killing it takes the "device" away mid-stream.
/// </summary>
internal sealed class SocatPty : IAsyncDisposable
{
    private readonly Process _process;

    private SocatPty(string path, Process process)
    {
        Path = path;
        _process = process;
    }

    public string Path { get; }

    public static async Task<SocatPty> StartAsync(string path, TimeSpan timeout)
    {
        if (File.Exists(path) || Directory.Exists(path))
        {
            File.Delete(path); // a link left behind by a killed socat
        }

        var info = new ProcessStartInfo("socat")
        {
            RedirectStandardInput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-u", "STDIN", $"pty,raw,echo=0,link={path}" })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("socat did not start");
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        var pty = new SocatPty(path, process);

        // socat creates the link once the pty exists; poll for it with a deadline.
        var deadline = TimeProvider.System.GetTimestamp() + (long)(timeout.TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (!File.Exists(path))
        {
            if (process.HasExited || TimeProvider.System.GetTimestamp() > deadline)
            {
                await pty.DisposeAsync();
                throw new TimeoutException($"socat did not create {path}");
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        return pty;
    }

    public async Task WriteAsync(string text)
    {
        await _process.StandardInput.WriteAsync(text.AsMemory(), TestContext.Current.CancellationToken);
        await _process.StandardInput.FlushAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>Kills socat (SIGKILL): the pty vanishes under the reader, like a yanked USB receiver.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(10));
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        finally
        {
            _process.Dispose();
        }
    }
}
