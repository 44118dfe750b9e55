using System.Net;
using System.Net.Sockets;

namespace EdgeGateway.Simulators.Modem;

/// <summary>
/// The simulated LTE modem's data path: a TCP relay from <c>listen</c> to <c>target</c> (e.g. the gateway's
/// MQTT to FleetControl's broker) that carries bytes only while the modem has coverage. When coverage is
/// lost, open connections are cut (as a lost bearer drops them) and new ones are refused until it returns,
/// so the gateway's IP link goes down with the modem, as in a tunnel.
/// </summary>
internal sealed class LteDataPath(IPEndPoint listen, IPEndPoint target) : IAsyncDisposable
{
    private readonly TcpListener _listener = new(listen);
    private readonly Lock _gate = new();
    private readonly List<TcpClient> _open = [];
    private volatile bool _up = true;
    private long _connections;
    private long _cut;

    /// <summary>For STATS lines.</summary>
    public string Counters => $"data_path={(_up ? "up" : "down")} data_connections={Interlocked.Read(ref _connections)} data_cut={Interlocked.Read(ref _cut)}";

    /// <summary>The port listened on.</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Coverage changed: down cuts every open connection.</summary>
    public void SetUp(bool up)
    {
        _up = up;
        if (up)
        {
            return;
        }

        TcpClient[] open;
        lock (_gate)
        {
            open = [.. _open];
            _open.Clear();
        }

        foreach (var client in open)
        {
            try
            {
                if (client.Client is { } socket)
                {
                    socket.LingerState = new LingerOption(true, 0); // a reset, not a polite close
                    Interlocked.Increment(ref _cut);
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // Already closed by its relay.
            }

            client.Dispose();
        }
    }

    public void Start() => _listener.Start();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var inbound = await _listener.AcceptTcpClientAsync(cancellationToken).ConfigureAwait(false);
                if (!_up)
                {
                    inbound.Dispose();
                    continue;
                }

                _ = RelayAsync(inbound, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    public ValueTask DisposeAsync()
    {
        _listener.Stop();
        SetUp(false);
        return ValueTask.CompletedTask;
    }

    private async Task RelayAsync(TcpClient inbound, CancellationToken cancellationToken)
    {
        var outbound = new TcpClient();
        try
        {
            await outbound.ConnectAsync(target, cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                _open.Add(inbound);
                _open.Add(outbound);
            }

            Interlocked.Increment(ref _connections);
            using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var up = inbound.GetStream().CopyToAsync(outbound.GetStream(), both.Token);
            var down = outbound.GetStream().CopyToAsync(inbound.GetStream(), both.Token);
            await Task.WhenAny(up, down).ConfigureAwait(false);
            await both.CancelAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Cut, refused or closed: the gateway sees its link drop and reconnects.
        }
        finally
        {
            lock (_gate)
            {
                _open.Remove(inbound);
                _open.Remove(outbound);
            }

            inbound.Dispose();
            outbound.Dispose();
        }
    }
}
