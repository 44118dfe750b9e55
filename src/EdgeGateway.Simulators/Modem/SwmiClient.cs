using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using EdgeGateway.Contracts.Tetra;

namespace EdgeGateway.Simulators.Modem;

/// <summary>
/// The simulated network's link to FleetControl's TETRA gateway (<see cref="SwmiLink"/> lines over TCP):
/// connects and reconnects every second while FleetControl is away; SDS that cannot go are dropped and
/// counted, as an unreachable addressee's would be (the sender's SDS-TL report never comes).
/// </summary>
internal sealed class SwmiClient(IPEndPoint endPoint, Action<string, string, byte[]> onSds)
{
    private readonly Channel<string> _outgoing = Channel.CreateBounded<string>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropWrite });
    private long _forwarded;
    private long _dropped;
    private volatile bool _connected;

    /// <summary>For STATS lines.</summary>
    public string Counters => $"swmi_connected={(_connected ? 1 : 0)} swmi_forwarded={Interlocked.Read(ref _forwarded)} swmi_dropped={Interlocked.Read(ref _dropped)}";

    /// <summary>Queues one SDS for FleetControl; dropped (and counted) while not connected.</summary>
    public void Send(string calling, string called, byte[] userData)
    {
        if (!_connected || !_outgoing.Writer.TryWrite(SwmiLink.Format(calling, called, userData)))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>Queues a terminal's pre-coded status for FleetControl (<see cref="SwmiLink.FormatStatus"/>); dropped while not connected.</summary>
    public void SendStatus(string calling, string called, ushort status)
    {
        if (!_connected || !_outgoing.Writer.TryWrite(SwmiLink.FormatStatus(calling, called, status)))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(endPoint, cancellationToken).ConfigureAwait(false);
                var stream = client.GetStream();
                _connected = true;
                using var linkStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var writing = WriteAsync(stream, linkStop.Token);
                using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
                while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
                {
                    if (SwmiLink.TryParse(line, out var calling, out var called, out var data))
                    {
                        onSds(calling, called, data);
                    }
                }

                await linkStop.CancelAsync().ConfigureAwait(false);
                await writing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            catch (Exception e) when (e is SocketException or IOException)
            {
                // FleetControl not there (yet): try again shortly.
            }
            catch (OperationCanceledException)
            {
                return;
            }
            finally
            {
                _connected = false;
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task WriteAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        await foreach (var line in _outgoing.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(line + "\n"), cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _forwarded);
        }
    }
}
