using EdgeGateway.Devices.Gnss;
using EdgeGateway.Tests.Devices.Gnss;
using EdgeGateway.Transport;

namespace EdgeGateway.Tests.Transport;

/// <summary>System.IO.Ports SerialPort on a real pty pair (socat), fed and then pulled away mid-stream.</summary>
public sealed class SerialPtyTransportTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 18, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("gnss-pty-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string Cycles(int from, int to) =>
        string.Concat(Enumerable.Range(from, to - from + 1).Select(i => NmeaText.Cycle(T0.AddSeconds(i), 51.5 + (i * 0.001), -0.12)));

    [Fact]
    public async Task Connect_NoSuchPort_ThrowsForRetryLoop()
    {
        var connector = new SerialByteSourceConnector(new SerialTransportOptions { PortName = Path.Combine(_directory, "missing") });

        await Assert.ThrowsAnyAsync<Exception>(() => connector.ConnectAsync(TestContext.Current.CancellationToken).AsTask());
    }

    [Fact]
    public async Task SerialPort_BytesWrittenOnPty_ArriveAsFixes_AndSurviveDeviceLoss()
    {
        var link = Path.Combine(_directory, "gps");
        var pty = await SocatPty.StartAsync(link, Timeout);
        try
        {
            var connector = new SerialByteSourceConnector(new SerialTransportOptions { PortName = link, BaudRate = 9600 });
            await using var harness = new GnssAdapterHarness(connector);
            await harness.StartAsync();
            await harness.WaitForAsync(c => c.Transport.Connects >= 1, Timeout);

            await pty.WriteAsync(Cycles(1, 4) + "$GPRMC,18000");
            var first = await harness.Sink.WaitUntilAsync(e => e.Count >= 3, Timeout);
            Assert.Equal(T0.AddSeconds(1), first[0].CapturedAt.ToDateTimeOffset());
            Assert.Equal(51.501, first[0].Position.Latitude, 6);

            // Pull the device away mid-sentence, bring it back under the same name.
            await pty.KillAsync();
            await pty.DisposeAsync();
            await harness.WaitForAsync(c => c.Transport.Disconnects + c.Transport.IdleTimeouts >= 1, Timeout);
            pty = await SocatPty.StartAsync(link, Timeout);
            await harness.WaitForAsync(c => c.Transport.Connects >= 2, Timeout);

            await pty.WriteAsync(Cycles(10, 13));
            var after = await harness.Sink.WaitUntilAsync(
                e => e.Any(x => x.CapturedAt.ToDateTimeOffset() == T0.AddSeconds(12)), Timeout);
            Assert.Contains(after, x => x.CapturedAt.ToDateTimeOffset() == T0.AddSeconds(10));
            Assert.Equal(51.512, after.Single(x => x.CapturedAt.ToDateTimeOffset() == T0.AddSeconds(12)).Position.Latitude, 6);
        }
        finally
        {
            await pty.DisposeAsync();
        }
    }
}
