using EdgeGateway.Contracts.V1;

namespace FleetControl.Store;

/// <summary>
/// Durable work that follows an urgent batch into the database (raising its Emergency/Alert alerts) and that a
/// crash must not lose. The LiteDB store calls it on its fold thread for every batch made durable in its
/// <see cref="UrgentJournal"/>, after the batch is in the database and before the journal lets it go, and at
/// start-up for what the journal replays; so it may run twice for one envelope and must be idempotent. Such
/// batches are acknowledged to the device before it runs (<see cref="StoreBatchResult.ObserversDeferred"/>).
/// </summary>
internal interface IUrgentFoldObserver
{
    /// <summary>The envelopes (Emergency, Alert) are in the database; returns once its own writes are durable.</summary>
    void OnFolded(IReadOnlyList<Envelope> envelopes);
}
