using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace EdgeGateway.Simulators.Tests.Cli;

/// <summary>The simulator as another process would use it: start, parse READY, read, SIGTERM.</summary>
public sealed class GpsProcessTests
{
    [Fact]
    public async Task Main_Sigterm_PrintsDoneRemovesLinkAndExitsZero()
    {
        using var dir = new TempDirectory();
        var link = Path.Combine(dir.Path, "gps0");
        using var process = StartSimulator("gps", "--route", "bedford", "--rate", "5", "--pty-link", link, "--tcp", "127.0.0.1:0");
        try
        {
            var ready = ReadyLine.Parse(await ReadLineAsync(process));
            Assert.True(File.Exists(link) || new FileInfo(link).LinkTarget is not null);
            Assert.Equal(link, ready["link"]);

            using var client = new TcpClient();
            await client.ConnectAsync(IPEndPoint.Parse(ready["tcp"]), TestContext.Current.CancellationToken);
            using var reader = new StreamReader(client.GetStream(), Encoding.ASCII);
            var line = await reader.ReadLineAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TestSupport.Timeout, TestContext.Current.CancellationToken);
            Assert.StartsWith("$GP", line, StringComparison.Ordinal);

            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TestSupport.Timeout, TestContext.Current.CancellationToken);
            }

            await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TestSupport.Timeout, TestContext.Current.CancellationToken);
            var rest = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);

            Assert.Equal(0, process.ExitCode);
            Assert.Contains("DONE fixes=", rest, StringComparison.Ordinal);
            Assert.Null(new FileInfo(link).LinkTarget);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }

    [Fact]
    public async Task Main_Count_ExitsByItself()
    {
        using var process = StartSimulator("gps", "--rate", "20", "--count", "5", "--stdout", "--stats-interval", "0");
        try
        {
            await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TestSupport.Timeout, TestContext.Current.CancellationToken);
            var lines = (await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken)).Split("\n", StringSplitOptions.RemoveEmptyEntries);

            Assert.Equal(0, process.ExitCode);
            Assert.Equal("READY", lines[0]);
            Assert.Equal(5, lines.Count(l => l.StartsWith("$GPGGA", StringComparison.Ordinal)));
            Assert.StartsWith("DONE fixes=5 ", lines[^1], StringComparison.Ordinal);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }

    private static Process StartSimulator(params string[] args)
    {
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "EdgeGateway.Simulators.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info)!;
        process.ErrorDataReceived += (_, _) => { };   // drain logs so the child never blocks on stderr
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<string> ReadLineAsync(Process process)
    {
        var line = await process.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken).AsTask()
            .WaitAsync(TestSupport.Timeout, TestContext.Current.CancellationToken);
        Assert.NotNull(line);
        return line;
    }
}
