namespace EdgeGateway.Outbox.Storage;

/// <summary>
/// The outbox file reads without error but contradicts itself (a queue's index no longer reaches every
/// message the state counts): damage LiteDB cannot see, handled like the damage it reports, by quarantine and salvage.
/// </summary>
internal sealed class StoreDamagedException(string message, Exception? inner = null) : Exception(message, inner);
