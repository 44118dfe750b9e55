using System.Diagnostics;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Outbox;

namespace EdgeGateway.Benchmarks.Load;

/// <summary>The gateway's real outbox with the load harness listening in: stamped ids on enqueue, acked ids after the delete.</summary>
internal sealed class ObservingOutbox(IOutbox inner, AckObserver observer) : IOutbox
{
    public async ValueTask<EnqueueResult> EnqueueAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        observer.Enqueuing(envelope);
        var result = await inner.EnqueueAsync(envelope, cancellationToken).ConfigureAwait(false);
        if (result != EnqueueResult.Accepted)
        {
            observer.Refused(envelope.MessageId);
        }

        return result;
    }

    public async ValueTask<IReadOnlyList<OutboxMessage>> LeaseAsync(int maxCount, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        return Observe(start, await inner.LeaseAsync(maxCount, cancellationToken).ConfigureAwait(false));
    }

    public async ValueTask<IReadOnlyList<OutboxMessage>> LeaseUrgentAsync(int maxCount, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        return Observe(start, await inner.LeaseUrgentAsync(maxCount, cancellationToken).ConfigureAwait(false));
    }

    public Task WaitForUrgentAsync(CancellationToken cancellationToken) => inner.WaitForUrgentAsync(cancellationToken);

    private IReadOnlyList<OutboxMessage> Observe(long start, IReadOnlyList<OutboxMessage> leased)
    {
        observer.Leases.Add(start, leased.Count);
        foreach (var message in leased)
        {
            if (message.Priority == observer.WatchedClass)
            {
                observer.Leased(message.MessageId);
            }
        }

        return leased;
    }

    public async ValueTask AcknowledgeAsync(IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        await inner.AcknowledgeAsync(messageIds, cancellationToken).ConfigureAwait(false);
        observer.Deletes.Add(start, messageIds.Count);
        observer.GatewayAcked(messageIds);
    }

    public void ReleaseLeases() => inner.ReleaseLeases();

    public Task WaitForMessagesAsync(CancellationToken cancellationToken) => inner.WaitForMessagesAsync(cancellationToken);
}
