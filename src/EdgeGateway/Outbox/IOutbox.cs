using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;

namespace EdgeGateway.Outbox;

/// <summary>
/// The gateway's durable store-and-forward buffer. Envelopes go in stamped and complete; they come
/// out only when FleetControl acknowledges having stored them, or are counted as dropped.
/// </summary>
internal interface IOutbox
{
    /// <summary>Stores a fully stamped envelope durably (or says why not).</summary>
    ValueTask<EnqueueResult> EnqueueAsync(Envelope envelope, CancellationToken cancellationToken);

    /// <summary>
    /// Leases up to <paramref name="maxCount"/> messages to send: urgent classes first, lower classes a
    /// bounded share, newest telemetry before its own history. Expired messages are dropped and counted
    /// here instead of being returned. A leased message is not returned again until
    /// <see cref="ReleaseLeases"/> (or its lease times out).
    /// </summary>
    ValueTask<IReadOnlyList<OutboxMessage>> LeaseAsync(int maxCount, CancellationToken cancellationToken);

    /// <summary>
    /// Leases up to <paramref name="maxCount"/> urgent messages (Emergency, then Alert) and nothing else,
    /// oldest first: the drain's urgent lane, used while backlog sends wait for room so an Emergency does
    /// not queue behind them. Same leases, expiry and checksum rules as <see cref="LeaseAsync(int, CancellationToken)"/>.
    /// </summary>
    ValueTask<IReadOnlyList<OutboxMessage>> LeaseUrgentAsync(int maxCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<OutboxMessage>>([]);

    /// <summary>
    /// Completes when an urgent message (Emergency or Alert) may be waiting to be leased: at once if one
    /// is stored and not leased, else when one is accepted or leases are released. Never, for an outbox
    /// without an urgent lane (the default).
    /// </summary>
    Task WaitForUrgentAsync(CancellationToken cancellationToken) => Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>
    /// Like <see cref="LeaseAsync(int, CancellationToken)"/>, but only messages of the classes in
    /// <paramref name="classes"/> (a narrow bearer such as TETRA leases only what it may carry; the rest
    /// stays unleased for the next bearer). The default refuses a real filter: stores implement it.
    /// </summary>
    ValueTask<IReadOnlyList<OutboxMessage>> LeaseAsync(int maxCount, IReadOnlySet<PriorityClass> classes, CancellationToken cancellationToken) =>
        OutboxClassDefaults.All.All(classes.Contains)
            ? LeaseAsync(maxCount, cancellationToken)
            : throw new NotSupportedException($"{GetType().Name} cannot lease by class.");

    /// <summary>Deletes the messages FleetControl has stored. Unknown ids (duplicate acks) are ignored.</summary>
    ValueTask AcknowledgeAsync(IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken);

    /// <summary>Returns every leased, unacknowledged message to the queue (the link dropped).</summary>
    void ReleaseLeases();

    /// <summary>Completes when there may be something to lease (a new message, a released lease).</summary>
    Task WaitForMessagesAsync(CancellationToken cancellationToken);
}
