using System.Collections.Concurrent;
using EdgeGateway.Uplink.Drain;

namespace EdgeGateway.Tests.Uplink.Drain;

/// <summary>
/// A bearer whose backlog sends wait for <see cref="OpenRoom"/> (as MQTT's pending publishes wait for
/// PUBACKs), while urgent batches (Emergency, Alert) always have room. Records every batch in the order
/// it was handed over.
/// </summary>
internal sealed class GatedBearer : IUplinkBearer
{
    private readonly TaskCompletionSource _room = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ConcurrentQueue<PublishBatch> Sent { get; } = new();

    /// <summary>Backlog batches waiting for room.</summary>
    public int Waiting => _waiting;

    private int _waiting;

    public void OpenRoom() => _room.TrySetResult();

    public async ValueTask SendAsync(PublishBatch batch, CancellationToken cancellationToken)
    {
        if (!DrainScheduler.IsUrgent(batch.Priority) && !_room.Task.IsCompleted)
        {
            Interlocked.Increment(ref _waiting);
            try
            {
                await _room.Task.WaitAsync(cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _waiting);
            }
        }

        Sent.Enqueue(batch);
    }

    public void AcksOverdue(string reason)
    {
    }
}
