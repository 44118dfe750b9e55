namespace FleetControl.Store;

/// <summary>Outcome of one committed store transaction.</summary>
/// <param name="Stored">Envelopes newly stored.</param>
/// <param name="Duplicates">Envelopes whose message id was already stored (or repeated in the batch).</param>
/// <param name="ObserversDeferred">
/// True when the store hands these envelopes to its <see cref="IUrgentFoldObserver"/>s itself once they are folded
/// (the LiteDB store's urgent journal): the caller does not raise their alerts.
/// </param>
internal readonly record struct StoreBatchResult(int Stored, int Duplicates, bool ObserversDeferred = false);
