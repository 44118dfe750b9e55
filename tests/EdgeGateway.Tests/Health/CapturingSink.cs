using System.Collections.Concurrent;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;

namespace EdgeGateway.Tests.Health;

/// <summary>Records what reaches the observation sink.</summary>
internal sealed class CapturingSink : IObservationSink
{
    public ConcurrentQueue<Envelope> Drafts { get; } = new();

    public ValueTask<EnqueueResult> AcceptAsync(Envelope draft, CancellationToken cancellationToken)
    {
        Drafts.Enqueue(draft.Clone());
        return ValueTask.FromResult(EnqueueResult.Accepted);
    }
}
