using System.Net;
using System.Net.Sockets;
using EdgeGateway.Simulators.LocalSystem;

namespace EdgeGateway.Simulators.Tests.LocalSystem;

/// <summary>The launcher refuses clearly (one line, exit 1) before it starts anything.</summary>
public sealed class LocalSystemGuardTests
{
    [Fact]
    public async Task RunAsync_SecondRunOnSameDirectoryWithFresh_RefusedAndDataKept()
    {
        using var temp = new TempDirectory();
        var directory = temp.Sub("system");
        using var first = SystemDirectoryLock.Acquire(directory, fresh: false);
        var data = Path.Combine(directory, "fleetcontrol.db");
        await File.WriteAllTextAsync(data, "data of the running system", TestContext.Current.CancellationToken);
        var error = new StringWriter();

        var code = await Program.RunAsync(["system", "--dir", directory, "--fresh"], TextWriter.Null, error, TestContext.Current.CancellationToken);

        Assert.Equal(1, code);
        Assert.Contains($"already running on {directory} (pid {Environment.ProcessId})", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error.ToString(), StringComparison.Ordinal);
        Assert.True(File.Exists(data));
    }

    [Fact]
    public async Task RunAsync_HttpPortInUse_RefusedNamingPortAndOption()
    {
        using var temp = new TempDirectory();
        var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        try
        {
            var port = ((IPEndPoint)taken.LocalEndpoint).Port;
            var error = new StringWriter();

            var code = await Program.RunAsync(
                ["system", "--dir", temp.Sub("system"), "--http-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)],
                TextWriter.Null, error, TestContext.Current.CancellationToken);

            Assert.Equal(1, code);
            Assert.Contains($"port {port} (FleetControl REST) is already in use", error.ToString(), StringComparison.Ordinal);
            Assert.Contains("--http-port", error.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            taken.Stop();
        }
    }

    [Fact]
    public void Acquire_AfterPreviousRunReleased_FreshEmptiesDirectoryButKeepsLock()
    {
        using var temp = new TempDirectory();
        var directory = temp.Sub("system");
        SystemDirectoryLock.Acquire(directory, fresh: false).Dispose();
        Directory.CreateDirectory(Path.Combine(directory, "vehicle-01", "data"));
        File.WriteAllText(Path.Combine(directory, "old.log"), "x");

        using var second = SystemDirectoryLock.Acquire(directory, fresh: true);

        Assert.False(Directory.Exists(Path.Combine(directory, "vehicle-01")));
        Assert.False(File.Exists(Path.Combine(directory, "old.log")));
        Assert.Throws<EdgeGateway.Simulators.Cli.CliFailureException>(() => SystemDirectoryLock.Acquire(directory, fresh: false));
    }
}
