using System.Collections.Concurrent;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Hosting;
using EdgeGateway.Outbox;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Core;

/// <summary>
/// Stamps each draft (in place) and stores it: a monotonic UUIDv7 message id, the device id, the
/// next sequence of its stream and its class's expiry, then <see cref="IOutbox.EnqueueAsync"/>.
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
    private readonly MonotonicMessageIdGenerator _ids;
    private readonly TimeProvider _timeProvider;
    private readonly string _deviceId;
    private readonly OutboxClassSettings[] _classes;
    private readonly ConcurrentDictionary<string, StreamSequence> _streams = new(StringComparer.Ordinal);

    public ObservationSink(
        IOutbox outbox,
        IOutboxStampState stampState,
        MonotonicMessageIdGenerator ids,
        IOptions<GatewayOptions> gateway,
        IOptions<OutboxOptions> outboxOptions,
        TimeProvider timeProvider)
    {
        _outbox = outbox;
        _stampState = stampState;
        _ids = ids;
        _timeProvider = timeProvider;
        _deviceId = gateway.Value.DeviceId;
        _classes = OutboxClassDefaults.Resolve(outboxOptions.Value);
    }

    public async ValueTask<EnqueueResult> AcceptAsync(Envelope draft, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(draft);
        if (string.IsNullOrEmpty(draft.Stream) || draft.Stream is LiteDbOutbox.DataLossStream or LiteDbOutbox.AlarmStream)
        {
            throw new ArgumentException($"Observation stream '{draft.Stream}' is empty or reserved for the outbox.", nameof(draft));
        }

        var classIndex = OutboxClassDefaults.IndexOf(draft.Priority);
        if (classIndex < 0)
        {
            throw new ArgumentException($"Observation priority {draft.Priority} is not a priority class.", nameof(draft));
        }

        if (draft.CapturedAt is null)
        {
            draft.CapturedAt = Timestamp.FromDateTimeOffset(_timeProvider.GetUtcNow());
            if (draft.TimeSource == TimeSource.Unspecified)
            {
                draft.TimeSource = TimeSource.Local;
            }
        }

        var captured = draft.CapturedAt.ToDateTimeOffset();
        var expiry = _classes[classIndex].Expiry;
        var expiresAt = DateTimeOffset.MaxValue - captured > expiry ? captured + expiry : DateTimeOffset.MaxValue;
        draft.ExpiresAt = Timestamp.FromDateTimeOffset(expiresAt);
        draft.DeviceId = _deviceId;

        var stream = _streams.GetOrAdd(draft.Stream, _ => new StreamSequence());
        await stream.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!stream.Loaded && _stampState.TryGetLastSequence(draft.Stream, out var last))
            {
                stream.Last = last;
                stream.Loaded = true;
            }

            draft.Sequence = stream.Last + 1;
            draft.MessageId = _ids.NextString();

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
