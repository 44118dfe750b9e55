using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Outbox;

namespace EdgeGateway.Retention;

/// <summary>
/// The outbox as the uplink sees it, plus one thing: a message FleetControl acknowledges is handed to
/// the <see cref="RetentionService"/> to be kept in the retained history before the outbox deletes it.
/// The envelope bytes come from the lease (no extra read); leases are forgotten when they are returned.
/// An acknowledgement that arrives after its lease was returned (a link drop in between) deletes the
/// message without a copy (it was delivered; only the convenience copy is missing).
/// </summary>
internal sealed class RetainingOutbox(IOutbox inner, RetentionService retention) : IOutbox
{
    /// <summary>Leases remembered at most (far above any in-flight window); beyond it they are forgotten.</summary>
    private const int MaxRemembered = 200_000;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, OutboxMessage> _leased = new(StringComparer.Ordinal);

    public ValueTask<EnqueueResult> EnqueueAsync(Envelope envelope, CancellationToken cancellationToken) =>
        inner.EnqueueAsync(envelope, cancellationToken);

    public ValueTask<IReadOnlyList<OutboxMessage>> LeaseAsync(int maxCount, CancellationToken cancellationToken) =>
        RememberAsync(inner.LeaseAsync(maxCount, cancellationToken));

    public ValueTask<IReadOnlyList<OutboxMessage>> LeaseAsync(int maxCount, IReadOnlySet<PriorityClass> classes, CancellationToken cancellationToken) =>
        RememberAsync(inner.LeaseAsync(maxCount, classes, cancellationToken));

    public ValueTask<IReadOnlyList<OutboxMessage>> LeaseUrgentAsync(int maxCount, CancellationToken cancellationToken) =>
        RememberAsync(inner.LeaseUrgentAsync(maxCount, cancellationToken));

    private async ValueTask<IReadOnlyList<OutboxMessage>> RememberAsync(ValueTask<IReadOnlyList<OutboxMessage>> lease)
    {
        var leased = await lease.ConfigureAwait(false);
        if (retention.Enabled && leased.Count > 0)
        {
            lock (_lock)
            {
                if (_leased.Count + leased.Count > MaxRemembered)
                {
                    _leased.Clear(); // leases that were never acknowledged nor returned (expired on the way)
                }

                foreach (var message in leased)
                {
                    _leased[message.MessageId] = message;
                }
            }
        }

        return leased;
    }

    public async ValueTask AcknowledgeAsync(IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken)
    {
        await inner.AcknowledgeAsync(messageIds, cancellationToken).ConfigureAwait(false);
        if (!retention.Enabled)
        {
            return;
        }

        var delivered = new List<OutboxMessage>(messageIds.Count);
        lock (_lock)
        {
            foreach (var id in messageIds)
            {
                if (_leased.Remove(id, out var message))
                {
                    delivered.Add(message);
                }
            }
        }

        retention.Delivered(delivered);
    }

    public void ReleaseLeases()
    {
        inner.ReleaseLeases();
        lock (_lock)
        {
            _leased.Clear();
        }
    }

    public Task WaitForMessagesAsync(CancellationToken cancellationToken) => inner.WaitForMessagesAsync(cancellationToken);

    public Task WaitForUrgentAsync(CancellationToken cancellationToken) => inner.WaitForUrgentAsync(cancellationToken);
}
