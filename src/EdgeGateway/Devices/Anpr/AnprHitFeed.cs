using System.Text.Json;
using System.Threading.Channels;
using EdgeGateway.Contracts;

namespace EdgeGateway.Devices.Anpr;

/// <summary>
/// The in-car event stream: each hit is raised on <see cref="IAnprHitSource.Hit"/> and written, as a JSON
/// server-sent event, to every connected terminal (<c>GET /anpr/events</c>). A terminal that falls more than
/// 256 hits behind loses the oldest (it is on the vehicle LAN, so that means it is stuck, not slow).
/// </summary>
internal sealed class AnprHitFeed : IAnprHitSource
{
    private readonly Lock _lock = new();
    private readonly List<Channel<string>> _terminals = [];

    public event Action<AnprHitNotice>? Hit;

    /// <summary>Terminals connected now.</summary>
    public int Terminals
    {
        get
        {
            lock (_lock)
            {
                return _terminals.Count;
            }
        }
    }

    /// <summary>Announces a hit to the subscribers and the terminals.</summary>
    public void Publish(AnprHitNotice notice)
    {
        var json = JsonSerializer.Serialize(notice, AnprJson.Options.Info<AnprHitNotice>());
        lock (_lock)
        {
            foreach (var terminal in _terminals)
            {
                terminal.Writer.TryWrite(json);
            }
        }

        Hit?.Invoke(notice);
    }

    /// <summary>A new terminal's queue of hits (JSON); dispose the lease when it disconnects.</summary>
    public (ChannelReader<string> Reader, IDisposable Lease) Connect()
    {
        var channel = Channel.CreateBounded<string>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_lock)
        {
            _terminals.Add(channel);
        }

        return (channel.Reader, new Lease(this, channel));
    }

    private sealed class Lease(AnprHitFeed feed, Channel<string> channel) : IDisposable
    {
        public void Dispose()
        {
            lock (feed._lock)
            {
                feed._terminals.Remove(channel);
            }

            channel.Writer.TryComplete();
        }
    }
}
