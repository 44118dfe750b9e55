using EdgeGateway.Contracts.V1;

namespace FleetControl.Ingest;

/// <summary>
/// The valid envelopes of one MQTT publish, waiting to be stored. <see cref="CompleteAsync"/> sends
/// the MQTT PUBACK to the broker once the envelopes are committed (null when nothing to acknowledge), in the order
/// the PUBLISHes arrived on <see cref="Connection"/> (the client id of the connection that received it).
/// </summary>
internal sealed record IngestBatch(string DeviceId, IReadOnlyList<Envelope> Envelopes, Func<CancellationToken, Task>? CompleteAsync, string Connection = "");
