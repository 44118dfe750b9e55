using System.Collections.Concurrent;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;

namespace EdgeGateway.Tests.Evidence;

/// <summary>Records what the dock hands to the observation sink.</summary>
internal sealed class CapturingSink : IObservationSink
{
    public ConcurrentQueue<Envelope> Envelopes { get; } = new();

    public ValueTask<EnqueueResult> AcceptAsync(Envelope draft, CancellationToken cancellationToken)
    {
        Envelopes.Enqueue(draft.Clone());
        return ValueTask.FromResult(EnqueueResult.Accepted);
    }
}
