using EdgeGateway.Contracts.V1;

namespace EdgeGateway.Outbox;

/// <summary>One leased outbox message, ready to publish.</summary>
/// <param name="MessageId">The envelope's message id (the acknowledgement key).</param>
/// <param name="Priority">Its priority class.</param>
/// <param name="Stream">Its stream (envelopes of one stream and class may share a publish).</param>
/// <param name="ExpiresAt">When it stops being worth sending (also the MQTT message expiry).</param>
/// <param name="Envelope">The serialized <see cref="Contracts.V1.Envelope"/>.</param>
internal sealed record OutboxMessage(
    string MessageId,
    PriorityClass Priority,
    string Stream,
    DateTimeOffset ExpiresAt,
    ReadOnlyMemory<byte> Envelope);
