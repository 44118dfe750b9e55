using System.Net;
using System.Net.Sockets;
using EdgeGateway.Devices.Gnss;
using EdgeGateway.Tests.Devices.Gnss;
using EdgeGateway.Transport;

namespace EdgeGateway.Tests.Transport;

/// <summary>The TCP transport against a real listener on 127.0.0.1 that drops the adapter mid-stream.</summary>
public sealed class TcpTransportTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 18, 30, 0, TimeSpan.Zero);

    private static byte[] Cycles(int from, int to) => NmeaText.Bytes(
        string.Concat(Enumerable.Range(from, to - from + 1).Select(i => NmeaText.Cycle(T0.AddSeconds(i), 53.4 + (i * 0.001), -2.2, "GN"))));

    [Fact]
    public async Task TcpStream_BytesArriveAsFixes_AndAdapterReconnectsAfterServerDrop()
    {
        var ct = TestContext.Current.CancellationToken;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var connector = new TcpByteSourceConnector(new TcpTransportOptions { Host = "127.0.0.1", Port = port });
        await using var harness = new GnssAdapterHarness(connector);
        await harness.StartAsync();

        using (var first = await listener.AcceptTcpClientAsync(ct).AsTask().WaitAsync(Timeout, ct))
        {
            var stream = first.GetStream();
            await stream.WriteAsync(Cycles(1, 4), ct);
            await stream.WriteAsync(NmeaText.Bytes("$GNRMC,1830"), ct); // cut mid-sentence below
            var received = await harness.Sink.WaitUntilAsync(e => e.Count >= 3, Timeout);
            Assert.Equal(T0.AddSeconds(1), received[0].CapturedAt.ToDateTimeOffset());
            Assert.Equal(53.401, received[0].Position.Latitude, 6);
        }

        using (var second = await listener.AcceptTcpClientAsync(ct).AsTask().WaitAsync(Timeout, ct))
        {
            await second.GetStream().WriteAsync(Cycles(20, 23), ct);
            var after = await harness.Sink.WaitUntilAsync(e => e.Any(x => x.CapturedAt.ToDateTimeOffset() == T0.AddSeconds(22)), Timeout);
            Assert.Contains(after, x => x.CapturedAt.ToDateTimeOffset() == T0.AddSeconds(4)); // flushed at disconnect
        }

        Assert.True(harness.Counters.Transport.Connects >= 2);
        Assert.True(harness.Counters.Transport.Disconnects >= 1);
    }

    [Fact]
    public async Task TcpStream_SilentServer_IdleTimeoutReconnects()
    {
        var ct = TestContext.Current.CancellationToken;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var connector = new TcpByteSourceConnector(new TcpTransportOptions { Host = "127.0.0.1", Port = port });
        await using var harness = new GnssAdapterHarness(connector, idleTimeout: TimeSpan.FromMilliseconds(300));
        await harness.StartAsync();

        // Accept and say nothing (a half-open link or a hung receiver), then accept the retry.
        using var silent = await listener.AcceptTcpClientAsync(ct).AsTask().WaitAsync(Timeout, ct);
        using var retry = await listener.AcceptTcpClientAsync(ct).AsTask().WaitAsync(Timeout, ct);

        Assert.True(harness.Counters.Transport.IdleTimeouts >= 1);
        await retry.GetStream().WriteAsync(Cycles(40, 42), ct);
        await harness.Sink.WaitUntilAsync(e => e.Any(x => x.CapturedAt.ToDateTimeOffset() == T0.AddSeconds(41)), Timeout);
    }

    [Fact]
    public async Task Connect_NothingListening_ThrowsForRetryLoop()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var connector = new TcpByteSourceConnector(new TcpTransportOptions { Host = "127.0.0.1", Port = port });

        await Assert.ThrowsAnyAsync<SocketException>(() => connector.ConnectAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Timeout, TestContext.Current.CancellationToken));
    }
}
