using System.Globalization;
using System.IO.Ports;
using System.Net;
using System.Net.Sockets;
using System.Text;
using EdgeGateway.Simulators.Gps;
using EdgeGateway.Simulators.Tests.Gps;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeGateway.Simulators.Tests.Cli;

public sealed class GpsCommandTests
{
    [Fact]
    public async Task RunAsync_PtyLinkAndTcp_ReadyLineNamesBothAndBothDeliverNmea()
    {
        using var dir = new TempDirectory();
        var link = Path.Combine(dir.Path, "gps0");
        var readyFile = Path.Combine(dir.Path, "ready");
        var output = new LineCapture();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var settings = new GpsCommandSettings
        {
            Pty = true,
            PtyLink = link,
            Tcp = new IPEndPoint(IPAddress.Loopback, 0),
            Rate = 10,
            ReadyFile = readyFile,
            StatsInterval = TimeSpan.FromMilliseconds(200),
        };

        var run = GpsCommand.RunAsync(settings, output, TimeProvider.System, NullLogger.Instance, stop.Token);
        var readyLine = await output.NextLineAsync();
        var ready = ReadyLine.Parse(readyLine);

        Assert.Equal(readyLine + "\n", await File.ReadAllTextAsync(readyFile, TestContext.Current.CancellationToken));
        Assert.Equal(link, ready["link"]);
        Assert.Equal(ready["pty"], new FileInfo(link).LinkTarget);
        var tcp = IPEndPoint.Parse(ready["tcp"]);
        Assert.NotEqual(0, tcp.Port);

        using var client = new TcpClient();
        await client.ConnectAsync(tcp, TestContext.Current.CancellationToken);
        using var reader = new StreamReader(client.GetStream(), Encoding.ASCII);
        var tcpGga = await NextSentenceAsync(() => reader.ReadLineAsync(TestContext.Current.CancellationToken).AsTask(), "GGA");
        Assert.Equal(15, NmeaTestParser.Fields(tcpGga + "\r\n").Length);

        using var port = new SerialPort(link, 9600) { ReadTimeout = 15_000, NewLine = "\r\n", Encoding = Encoding.ASCII };
        port.Open();
        var ptyRmc = await NextSentenceAsync(() => Task.Run(port.ReadLine), "RMC");
        Assert.Equal("A", NmeaTestParser.Fields(ptyRmc + "\r\n")[2]);

        var stats = await NextLineStartingAsync(output, "STATS ");
        Assert.Matches("fixes=[1-9][0-9]*", stats);

        await stop.CancelAsync();
        var code = await run.WaitAsync(TestSupport.Timeout, TestContext.Current.CancellationToken);

        Assert.Equal(0, code);
        Assert.StartsWith("DONE fixes=", output.All[^1], StringComparison.Ordinal);
        Assert.Null(new FileInfo(link).LinkTarget);   // symlink removed on shutdown
    }

    [Fact]
    public async Task RunAsync_ReplayWithCount_StopsByItselfAfterCountLines()
    {
        var capture = Path.Combine(TestData.Directory, "nmea", "gpsd", "neo-m8n.log");
        var output = new LineCapture();
        var settings = new GpsCommandSettings
        {
            ReplayFile = capture,
            Tcp = new IPEndPoint(IPAddress.Loopback, 0),
            Rate = 1000,
            Count = 50,
        };

        var code = await GpsCommand.RunAsync(settings, output, TimeProvider.System, NullLogger.Instance, TestContext.Current.CancellationToken)
            .WaitAsync(TestSupport.Timeout, TestContext.Current.CancellationToken);

        Assert.Equal(0, code);
        Assert.StartsWith("READY tcp=127.0.0.1:", output.All[0], StringComparison.Ordinal);
        Assert.Contains(" sentences=50 ", output.All[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_TcpPortInUse_ReportsFailureAndReturns1()
    {
        using var occupied = new TcpListener(IPAddress.Loopback, 0);
        occupied.Start();
        var output = new LineCapture();
        var settings = new GpsCommandSettings { Tcp = (IPEndPoint)occupied.LocalEndpoint };

        var code = await GpsCommand.RunAsync(settings, output, TimeProvider.System, NullLogger.Instance, TestContext.Current.CancellationToken)
            .WaitAsync(TestSupport.Timeout, TestContext.Current.CancellationToken);

        Assert.Equal(1, code);
        Assert.StartsWith("FAILED ", output.All[0], StringComparison.Ordinal);
    }

    private static async Task<string> NextSentenceAsync(Func<Task<string?>> readLine, string type)
    {
        for (var i = 0; i < 100; i++)
        {
            var line = await readLine().WaitAsync(TestSupport.Timeout, TestContext.Current.CancellationToken);
            Assert.NotNull(line);
            if (line.Length > 6 && line.AsSpan(3, 3).SequenceEqual(type))
            {
                return line;
            }
        }

        Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"no {type} in 100 lines"));
        return "";
    }

    private static async Task<string> NextLineStartingAsync(LineCapture output, string prefix)
    {
        while (true)
        {
            var line = await output.NextLineAsync();
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line;
            }
        }
    }
}
