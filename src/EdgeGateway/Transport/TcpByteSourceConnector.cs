using System.Net.Sockets;

namespace EdgeGateway.Transport;

/// <summary>Connects to a TCP endpoint that streams device bytes.</summary>
internal sealed class TcpByteSourceConnector : IByteSourceConnector
{
    private readonly TcpTransportOptions _options;

    public TcpByteSourceConnector(TcpTransportOptions options)
    {
        _options = options;
    }

    public string Description => $"tcp {_options.Host}:{_options.Port}";

    public async ValueTask<ByteSourceConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var client = new TcpClient { NoDelay = true };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.ConnectTimeout);
            try
            {
                await client.ConnectAsync(_options.Host, _options.Port, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"No TCP connection to {_options.Host}:{_options.Port} within {_options.ConnectTimeout}.");
            }

            return new ByteSourceConnection(client.GetStream(), client);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }
}
