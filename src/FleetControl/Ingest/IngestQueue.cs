using System.Threading.Channels;

namespace FleetControl.Ingest;

/// <summary>
/// Hands parsed batches from the MQTT receive path to the single store writer. Bounded, so a slow
/// store slows the MQTT receive loop instead of growing memory.
/// </summary>
internal sealed class IngestQueue
{
    private readonly Channel<IngestBatch> _channel = Channel.CreateBounded<IngestBatch>(
        new BoundedChannelOptions(4096) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    public ChannelWriter<IngestBatch> Writer => _channel.Writer;

    public ChannelReader<IngestBatch> Reader => _channel.Reader;
}
