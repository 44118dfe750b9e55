using EdgeGateway.Contracts.V1;

namespace EdgeGateway.Retention;

/// <summary>One delivered message kept in the retained history.</summary>
/// <param name="MessageId">The envelope's message id (unchanged when it is sent again, so FleetControl de-duplicates).</param>
/// <param name="Priority">Its class.</param>
/// <param name="Stream">Its stream.</param>
/// <param name="CapturedAt">When it was captured (what a resend range is matched against).</param>
/// <param name="Envelope">The serialized <see cref="Contracts.V1.Envelope"/>, byte for byte as delivered.</param>
internal sealed record RetainedMessage(string MessageId, PriorityClass Priority, string Stream, DateTimeOffset CapturedAt, ReadOnlyMemory<byte> Envelope);
