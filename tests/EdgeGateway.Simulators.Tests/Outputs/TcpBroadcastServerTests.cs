using System.Net;
using System.Net.Sockets;
using System.Text;
using EdgeGateway.Simulators.Outputs;

namespace EdgeGateway.Simulators.Tests.Outputs;

public sealed class TcpBroadcastServerTests
{
    [Fact]
    public async Task Write_TwoClients_BothReceiveTheSameStream()
    {
        await using var server = TcpBroadcastServer.Start(new IPEndPoint(IPAddress.Loopback, 0));
        Assert.NotEqual(0, server.LocalEndPoint.Port);
        using var a = new TcpClient();
        using var b = new TcpClient();
        await a.ConnectAsync(server.LocalEndPoint, TestContext.Current.CancellationToken);
        await b.ConnectAsync(server.LocalEndPoint, TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => server.ClientCount == 2, because: "two clients");

        server.Write("$GPGGA,one*00\r\n"u8);
        server.Write("$GPRMC,two*00\r\n"u8);

        const string expected = "$GPGGA,one*00\r\n$GPRMC,two*00\r\n";
        Assert.Equal(expected, await ReadAsync(a, expected.Length));
        Assert.Equal(expected, await ReadAsync(b, expected.Length));
    }

    [Fact]
    public async Task Write_ClientDisconnects_IsRemovedAndOthersKeepReceiving()
    {
        await using var server = TcpBroadcastServer.Start(new IPEndPoint(IPAddress.Loopback, 0));
        using var stays = new TcpClient();
        await stays.ConnectAsync(server.LocalEndPoint, TestContext.Current.CancellationToken);
        using (var leaves = new TcpClient())
        {
            await leaves.ConnectAsync(server.LocalEndPoint, TestContext.Current.CancellationToken);
            await Eventually.TrueAsync(() => server.ClientCount == 2, because: "two clients");
        }

        await Eventually.TrueAsync(() => server.ClientCount == 1, because: "the closed client to be removed");
        server.Write("$GPTXT,still*00\r\n"u8);

        Assert.Equal("$GPTXT,still*00\r\n", await ReadAsync(stays, 17));
        Assert.Equal(2, server.ClientsAccepted);
    }

    [Fact]
    public async Task DisposeAsync_WithClient_ClosesTheConnection()
    {
        var server = TcpBroadcastServer.Start(new IPEndPoint(IPAddress.Loopback, 0));
        using var client = new TcpClient();
        await client.ConnectAsync(server.LocalEndPoint, TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => server.ClientCount == 1, because: "the client");

        await server.DisposeAsync().AsTask().WaitAsync(TestSupport.Timeout, TestContext.Current.CancellationToken);

        // Closed: an orderly end of stream, or a reset when the close raced data still in flight; never data or a hang.
        var buffer = new byte[16];
        try
        {
            var read = await client.GetStream().ReadAsync(buffer, TestContext.Current.CancellationToken).AsTask().WaitAsync(TestSupport.Timeout, TestContext.Current.CancellationToken);
            Assert.Equal(0, read);
        }
        catch (IOException exception) when (exception.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
        {
            // Reset by the closing server: closed too.
        }
    }

    internal static async Task<string> ReadAsync(TcpClient client, int length)
    {
        var buffer = new byte[length];
        await client.GetStream().ReadExactlyAsync(buffer, TestContext.Current.CancellationToken).AsTask().WaitAsync(TestSupport.Timeout, TestContext.Current.CancellationToken);
        return Encoding.ASCII.GetString(buffer);
    }
}
