using System.Net;
using System.Net.Sockets;

namespace EdgeGateway.Tests.Uplink;

/// <summary>
/// A TCP relay between a client and the broker whose connections can be cut abruptly (no MQTT
/// DISCONNECT, as when a vehicle loses coverage), so the broker publishes the client's last will.
/// </summary>
internal sealed class TcpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly int _upstreamPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _sockets = [];
    private readonly HashSet<Socket> _stalled = [];
    private Task? _accepting;
    private volatile bool _acceptNew = true;

    private TcpRelay(int upstreamPort)
    {
        _upstreamPort = upstreamPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public static Task<TcpRelay> StartAsync(int upstreamPort)
    {
        var relay = new TcpRelay(upstreamPort);
        relay._listener.Start();
        relay._accepting = relay.AcceptAsync(relay._stop.Token);
        return Task.FromResult(relay);
    }

    /// <summary>Resets every relayed connection; with <paramref name="acceptNew"/> false, refuses new ones too.</summary>
    public void Sever(bool acceptNew)
    {
        _acceptNew = acceptNew;
        lock (_sockets)
        {
            foreach (var socket in _sockets)
            {
                try
                {
                    socket.LingerState = new LingerOption(true, 0);
                    socket.Close();
                }
                catch (ObjectDisposedException)
                {
                }
            }

            _sockets.Clear();
            _stalled.Clear();
        }
    }

    /// <summary>
    /// Every relayed connection goes silent and stays open: bytes in either direction are swallowed and a close is
    /// not passed on, as when a mobile link stops carrying data. With <paramref name="acceptNew"/> false, new
    /// connections are refused too (until <see cref="Sever"/> with true).
    /// </summary>
    public void Stall(bool acceptNew)
    {
        _acceptNew = acceptNew;
        lock (_sockets)
        {
            _stalled.UnionWith(_sockets);
        }
    }

    private bool IsStalled(Socket socket)
    {
        lock (_sockets)
        {
            return _stalled.Contains(socket);
        }
    }

    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket downstream;
            try
            {
                downstream = await _listener.AcceptSocketAsync(cancellationToken);
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            if (!_acceptNew)
            {
                downstream.Close();
                continue;
            }

            var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await upstream.ConnectAsync(IPAddress.Loopback, _upstreamPort, cancellationToken);
            }
            catch (SocketException)
            {
                downstream.Close();
                upstream.Dispose();
                continue;
            }

            lock (_sockets)
            {
                _sockets.Add(downstream);
                _sockets.Add(upstream);
            }

            _ = PumpAsync(downstream, upstream, cancellationToken);
            _ = PumpAsync(upstream, downstream, cancellationToken);
        }
    }

    private async Task PumpAsync(Socket from, Socket to, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                if (read == 0)
                {
                    break;
                }

                if (IsStalled(from))
                {
                    continue;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, cancellationToken);
            }
        }
        catch (Exception)
        {
            // Severed or stopped.
        }

        if (IsStalled(from))
        {
            return; // a stalled link passes nothing on, not even the close
        }

        try
        {
            to.Shutdown(SocketShutdown.Both);
        }
        catch (Exception)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        Sever(acceptNew: false);
        _listener.Stop();
        if (_accepting is not null)
        {
            await _accepting.WaitAsync(TimeSpan.FromSeconds(5));
        }

        _stop.Dispose();
    }
}
