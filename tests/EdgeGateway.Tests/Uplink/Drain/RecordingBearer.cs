using System.Collections.Concurrent;
using EdgeGateway.Uplink.Drain;

namespace EdgeGateway.Tests.Uplink.Drain;

/// <summary>A bearer that records what the drain hands it.</summary>
internal sealed class RecordingBearer : IUplinkBearer
{
    public ConcurrentQueue<PublishBatch> Sent { get; } = new();

    public int SentMessages => Sent.Sum(b => b.Messages.Count);

    public int Overdue { get; private set; }

    public ValueTask SendAsync(PublishBatch batch, CancellationToken cancellationToken)
    {
        Sent.Enqueue(batch);
        return ValueTask.CompletedTask;
    }

    public void AcksOverdue(string reason) => Overdue++;
}
