using EdgeGateway.Contracts.V1;

namespace FleetControl.Ingest;

/// <summary>
/// A feature that derives its own records from stored envelopes (ANPR reads, hits). Called by the ingest writer
/// after each commit and before the batch's DeliveryAck, with every envelope of the commit including duplicates
/// (a redelivery after a crash between the commit and the observer), so an observer must be idempotent and
/// durable when it returns: a failure stops the host before anything is acknowledged. The writer's urgent and
/// backlog lanes each call it after their own commits, so two calls may run at once: an observer must be
/// thread-safe.
/// </summary>
internal interface IIngestObserver
{
    void OnStored(IReadOnlyList<Envelope> envelopes);
}
