namespace EdgeGateway.Outbox;

/// <summary>
/// What the observation sink needs from the store to keep its stamps durable: the last sequence
/// number stored per stream (the message-id floor is pushed into the id generator when the store opens).
/// </summary>
internal interface IOutboxStampState
{
    /// <summary>The highest sequence ever stored for <paramref name="stream"/>; false if the store is unavailable.</summary>
    bool TryGetLastSequence(string stream, out ulong sequence);
}
