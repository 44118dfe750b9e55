namespace EdgeGateway.Transport;

/// <summary>An open device connection: the stream to read, plus whatever owns it (the port, the socket).</summary>
internal sealed class ByteSourceConnection : IAsyncDisposable
{
    private readonly IDisposable? _owner;
    private int _disposed;

    public ByteSourceConnection(Stream stream, IDisposable? owner = null)
    {
        Stream = stream;
        _owner = owner;
    }

    public Stream Stream { get; }

    /// <summary>Closes the connection; also used to break a blocked read on shutdown. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await Stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The device is gone already; nothing left to release.
        }
        catch (ObjectDisposedException)
        {
        }

        try
        {
            _owner?.Dispose();
        }
        catch (IOException)
        {
        }
    }
}
