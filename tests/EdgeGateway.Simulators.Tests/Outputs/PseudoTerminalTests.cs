using System.IO.Ports;
using System.Text;
using EdgeGateway.Simulators.Gps;
using EdgeGateway.Simulators.Outputs;

namespace EdgeGateway.Simulators.Tests.Outputs;

public sealed class PseudoTerminalTests
{
    [Fact]
    public async Task Write_ReaderOpenedWithSerialPort_ReceivesSentences()
    {
        using var pty = PseudoTerminal.Open();
        using var port = OpenPort(pty.SlavePath);
        await Eventually.TrueAsync(() => pty.IsReaderAttached, because: "the serial port to attach");
        var fix = NmeaWriter.Epoch(RouteSentenceSource.BuildFix(new RouteModel(GpsRoutes.Hertford).Current, new DateTimeOffset(2026, 11, 23, 18, 0, 0, TimeSpan.Zero)));

        foreach (var sentence in fix)
        {
            pty.Write(Encoding.ASCII.GetBytes(sentence));
        }

        var received = new List<string>();
        for (var i = 0; i < fix.Count; i++)
        {
            received.Add(await ReadLineAsync(port) + "\r\n");
        }

        Assert.Equal(fix, received);
        Assert.Equal(fix.Sum(s => s.Length), pty.BytesWritten);
        Assert.Equal(0, pty.BytesDroppedNoReader);
    }

    [Fact]
    public async Task Write_NoReaderThenReaderAttaches_DropsWhileAloneAndDeliversOnlyFreshData()
    {
        using var pty = PseudoTerminal.Open();
        Assert.False(pty.IsReaderAttached);
        var stale = "$GPTXT,stale*00\r\n"u8.ToArray();
        for (var i = 0; i < 10_000; i++)
        {
            pty.Write(stale);   // must neither block nor throw
        }

        Assert.Equal(10_000L * stale.Length, pty.BytesDroppedNoReader);
        Assert.Equal(0, pty.BytesWritten);

        using var port = OpenPort(pty.SlavePath);
        await Eventually.TrueAsync(() => pty.IsReaderAttached, because: "the serial port to attach");
        pty.Write("$GPTXT,fresh*00\r\n"u8);

        Assert.Equal("$GPTXT,fresh*00", await ReadLineAsync(port));
    }

    [Fact]
    public async Task Write_ReaderNotReading_DropsWholeChunksWithoutBlocking()
    {
        using var pty = PseudoTerminal.Open();
        using var port = OpenPort(pty.SlavePath);
        await Eventually.TrueAsync(() => pty.IsReaderAttached, because: "the serial port to attach");
        var chunk = Encoding.ASCII.GetBytes(NmeaWriter.Sentence("GPTXT," + new string('x', 1000)));

        for (var i = 0; i < 2000; i++)
        {
            pty.Write(chunk);   // ~2 MB into a tty buffer of a few kB
        }

        Assert.True(pty.BytesDroppedFull > 0);
        Assert.Equal(0, pty.BytesDroppedFull % chunk.Length);   // whole chunks only: no cut sentences
        Assert.True(pty.BytesWritten > 0);
    }

    [Fact]
    public async Task Write_ReaderClosesPort_CountsNoReaderAgain()
    {
        using var pty = PseudoTerminal.Open();
        using (var port = OpenPort(pty.SlavePath))
        {
            await Eventually.TrueAsync(() => pty.IsReaderAttached, because: "the serial port to attach");
            pty.Write("$GPTXT,one*00\r\n"u8);
            Assert.Equal("$GPTXT,one*00", await ReadLineAsync(port));
        }

        await Eventually.TrueAsync(() => !pty.IsReaderAttached, because: "the reader to go");
        pty.Write("$GPTXT,two*00\r\n"u8);

        Assert.Equal(15, pty.BytesDroppedNoReader);
    }

    [Fact]
    public void Open_WithLink_PointsLinkAtSlaveAndRemovesItOnDispose()
    {
        using var dir = new TempDirectory();
        var link = Path.Combine(dir.Path, "gps0");
        File.CreateSymbolicLink(link, "/dev/null");   // a stale link from an earlier run is replaced

        var pty = PseudoTerminal.Open(link);
        Assert.Equal(pty.SlavePath, new FileInfo(link).LinkTarget);
        Assert.StartsWith("/dev/pts/", pty.SlavePath, StringComparison.Ordinal);
        pty.Dispose();

        Assert.False(File.Exists(link) || new FileInfo(link).LinkTarget is not null);
    }

    [Fact]
    public void Open_LinkPathIsARegularFile_RefusesAndLeavesTheFile()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "precious.txt");
        File.WriteAllText(path, "keep me");

        Assert.Throws<IOException>(() => PseudoTerminal.Open(path));
        Assert.Equal("keep me", File.ReadAllText(path));
    }

    [Fact]
    public async Task Open_ViaLink_SerialPortReadsThroughTheSymlink()
    {
        using var dir = new TempDirectory();
        var link = Path.Combine(dir.Path, "gps0");
        using var pty = PseudoTerminal.Open(link);
        using var port = OpenPort(link);
        await Eventually.TrueAsync(() => pty.IsReaderAttached, because: "the serial port to attach");

        pty.Write("$GPTXT,via link*00\r\n"u8);

        Assert.Equal("$GPTXT,via link*00", await ReadLineAsync(port));
    }

    private static SerialPort OpenPort(string path)
    {
        var port = new SerialPort(path, 9600) { ReadTimeout = 15_000, NewLine = "\r\n", Encoding = Encoding.ASCII };
        port.Open();
        return port;
    }

    private static Task<string> ReadLineAsync(SerialPort port) =>
        Task.Run(port.ReadLine, TestContext.Current.CancellationToken).WaitAsync(TestSupport.Timeout, TestContext.Current.CancellationToken);
}
