namespace FleetControl.Store;

/// <summary>Outcome of one committed store transaction.</summary>
/// <param name="Stored">Envelopes newly stored.</param>
/// <param name="Duplicates">Envelopes whose message id was already stored (or repeated in the batch).</param>
internal readonly record struct StoreBatchResult(int Stored, int Duplicates);
