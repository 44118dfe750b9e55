using System.Collections.Concurrent;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Hosting;
using EdgeGateway.Outbox;
using EdgeGateway.Outbox.Policy;
using EdgeGateway.Time;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Core;

/// <summary>
/// Stamps each draft (in place) and stores it: a monotonic UUIDv7 message id, the device id, the
/// next sequence of its stream and its class's expiry (the rules are <see cref="EnvelopePolicy"/>'s;
/// this class owns the per-stream order), then <see cref="IOutbox.EnqueueAsync"/>.
/// </summary>
/// <remarks>
/// Sequences are durable and gap-free for accepted messages: a stream's next number is the last
/// one the store accepted plus one (read from the store the first time a stream is seen, so it
/// survives restarts), stamping and storing are serialised per stream, and the counter moves only
/// when the outbox answers Accepted. Different streams store concurrently and share group commits.
/// The streams "data-loss" and "outbox" belong to the outbox's own reports and alarms.
/// </remarks>
internal sealed class ObservationSink : IObservationSink
{
    private readonly IOutbox _outbox;
    private readonly IOutboxStampState _stampState;
    private readonly EnvelopePolicy _policy;
    private readonly ConcurrentDictionary<string, StreamSequence> _streams = new(StringComparer.Ordinal);

    public ObservationSink(
        IOutbox outbox,
        IOutboxStampState stampState,
        MonotonicMessageIdGenerator ids,
        IOptions<GatewayOptions> gateway,
        IOptions<OutboxOptions> outboxOptions,
        TimeProvider timeProvider,
        IClockStatus? clock = null)
    {
        _outbox = outbox;
        _stampState = stampState;
        _policy = new EnvelopePolicy(outboxOptions.Value, gateway.Value.DeviceId, timeProvider, ids, clock);
    }

    public async ValueTask<EnqueueResult> AcceptAsync(Envelope draft, CancellationToken cancellationToken)
    {
        _policy.StampDraft(draft);
        var stream = _streams.GetOrAdd(draft.Stream, _ => new StreamSequence());
        await stream.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!stream.Loaded && _stampState.TryGetLastSequence(draft.Stream, out var last))
            {
                stream.Last = last;
                stream.Loaded = true;
            }

            _policy.StampIdentity(draft, stream.Last + 1);

            // Not cancellable once stamped: the write either happens or is refused and counted.
            var result = await _outbox.EnqueueAsync(draft, CancellationToken.None).ConfigureAwait(false);
            if (result == EnqueueResult.Accepted && stream.Loaded)
            {
                stream.Last = draft.Sequence;
            }

            return result;
        }
        finally
        {
            stream.Gate.Release();
        }
    }
}
