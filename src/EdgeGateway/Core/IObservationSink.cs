using EdgeGateway.Contracts.V1;

namespace EdgeGateway.Core;

/// <summary>
/// The one path from device adapters into the gateway's durable buffer. An adapter fills in what it
/// knows (stream, priority, captured-at, time source, body); the sink stamps the rest (message id,
/// device id, per-stream sequence, expiry) and stores the envelope durably before returning.
/// </summary>
internal interface IObservationSink
{
    /// <summary>
    /// Accepts one observation. When this returns <see cref="EnqueueResult.Accepted"/> the message is
    /// on disk and will reach FleetControl exactly once (or be counted as dropped). Never throws for
    /// a refused message; throws only on cancellation.
    /// </summary>
    ValueTask<EnqueueResult> AcceptAsync(Envelope draft, CancellationToken cancellationToken);
}
