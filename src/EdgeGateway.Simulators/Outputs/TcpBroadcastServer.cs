using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeGateway.Simulators.Outputs;

/// <summary>
/// Serves one byte stream to every connected TCP client (like gpsd's raw NMEA port): each client gets
/// everything written after it connected. A client that does not read has its own bounded queue; when it
/// is full, chunks for that client are dropped and counted, the others are not held up.
/// </summary>
internal sealed class TcpBroadcastServer : IByteOutput, IAsyncDisposable
{
    private const int QueueChunks = 1024;

    private readonly TcpListener _listener;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<long, Client> _clients = new();
    private readonly Task _acceptLoop;
    private long _nextClientId;
    private long _clientsAccepted;
    private long _bytesQueued;
    private long _bytesDropped;

    private TcpBroadcastServer(TcpListener listener, ILogger logger)
    {
        _listener = listener;
        _logger = logger;
        LocalEndPoint = (IPEndPoint)listener.LocalEndpoint;
        _acceptLoop = AcceptLoopAsync(_stop.Token);
    }

    /// <summary>Where the server listens (the real port when port 0 was asked for).</summary>
    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Clients connected now.</summary>
    public int ClientCount => _clients.Count;

    /// <summary>Clients accepted since the start.</summary>
    public long ClientsAccepted => Interlocked.Read(ref _clientsAccepted);

    /// <summary>Bytes dropped for clients that did not keep up.</summary>
    public long BytesDropped => Interlocked.Read(ref _bytesDropped);

    /// <inheritdoc />
    public string Counters =>
        $"tcp_clients={ClientCount} tcp_accepted={ClientsAccepted} tcp_queued={Interlocked.Read(ref _bytesQueued)} tcp_dropped={BytesDropped}";

    /// <summary>Starts listening on <paramref name="endPoint"/> (port 0 picks a free port).</summary>
    /// <exception cref="SocketException">The address cannot be bound (e.g. the port is in use).</exception>
    public static TcpBroadcastServer Start(IPEndPoint endPoint, ILogger? logger = null)
    {
        logger ??= NullLogger.Instance;
        var listener = new TcpListener(endPoint);
        listener.Start();
        var server = new TcpBroadcastServer(listener, logger);
        Log.TcpListening(logger, server.LocalEndPoint);
        return server;
    }

    /// <inheritdoc />
    public void Write(ReadOnlySpan<byte> bytes)
    {
        if (_clients.IsEmpty || bytes.IsEmpty)
        {
            return;
        }

        var chunk = bytes.ToArray();
        foreach (var client in _clients.Values)
        {
            if (client.Queue.Writer.TryWrite(chunk))
            {
                Interlocked.Add(ref _bytesQueued, chunk.Length);
            }
            else
            {
                Interlocked.Add(ref _bytesDropped, chunk.Length);
                if (!client.SlowReported)
                {
                    client.SlowReported = true;
                    Log.TcpClientSlow(_logger, client.Remote);
                }
            }
        }
    }

    /// <summary>Stops listening and disconnects every client.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _acceptLoop;
        }
        catch (OperationCanceledException)
        {
        }

        var clients = _clients.Values.ToArray();
        foreach (var client in clients)
        {
            await client.CloseAsync();
        }

        await Task.WhenAll(clients.Select(c => c.Run ?? Task.CompletedTask));
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    return;
                }

                Log.TcpAcceptFailed(_logger, e);
                continue;
            }

            socket.NoDelay = true;
            var id = Interlocked.Increment(ref _nextClientId);
            var client = new Client(socket, cancellationToken);
            _clients[id] = client;
            Interlocked.Increment(ref _clientsAccepted);
            Log.TcpClientConnected(_logger, client.Remote, _clients.Count);
            client.Run = ServeAsync(id, client);
        }
    }

    private async Task ServeAsync(long id, Client client)
    {
        await Task.Yield();
        try
        {
            var sending = SendAsync(client);
            var receiving = WatchForCloseAsync(client);
            await Task.WhenAny(sending, receiving);
        }
        finally
        {
            _clients.TryRemove(id, out _);
            await client.CloseAsync();
            Log.TcpClientDisconnected(_logger, client.Remote, _clients.Count);
        }
    }

    private static async Task SendAsync(Client client)
    {
        try
        {
            await foreach (var chunk in client.Queue.Reader.ReadAllAsync(client.Token))
            {
                await client.Socket.SendAsync(chunk, SocketFlags.None, client.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Reads (and ignores) what the client sends, to notice when it closes its end.</summary>
    private static async Task WatchForCloseAsync(Client client)
    {
        var buffer = new byte[256];
        try
        {
            while (await client.Socket.ReceiveAsync(buffer, SocketFlags.None, client.Token) > 0)
            {
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private sealed class Client(Socket socket, CancellationToken serverStopping)
    {
        private readonly CancellationTokenSource _cancel = CancellationTokenSource.CreateLinkedTokenSource(serverStopping);

        public Socket Socket { get; } = socket;

        public EndPoint? Remote { get; } = socket.RemoteEndPoint;

        public Channel<byte[]> Queue { get; } = Channel.CreateBounded<byte[]>(
            new BoundedChannelOptions(QueueChunks) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

        public CancellationToken Token => _cancel.Token;

        public bool SlowReported { get; set; }

        public Task? Run { get; set; }

        public async Task CloseAsync()
        {
            if (_cancel.IsCancellationRequested && !Socket.Connected)
            {
                return;
            }

            Queue.Writer.TryComplete();
            try
            {
                await _cancel.CancelAsync();
            }
            catch (ObjectDisposedException)
            {
            }

            Socket.Dispose();
        }
    }
}
