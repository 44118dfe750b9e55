using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Outbox;

namespace EdgeGateway.Tests.Uplink;

/// <summary>An outbox whose store has failed: every lease throws.</summary>
internal sealed class FailingOutbox : IOutbox
{
    public ValueTask<EnqueueResult> EnqueueAsync(Envelope envelope, CancellationToken cancellationToken) =>
        ValueTask.FromResult(EnqueueResult.RefusedStoreUnavailable);

    public ValueTask<IReadOnlyList<OutboxMessage>> LeaseAsync(int maxCount, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("outbox store is broken");

    public ValueTask AcknowledgeAsync(IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public void ReleaseLeases()
    {
    }

    public Task WaitForMessagesAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
