namespace EdgeGateway.Outbox;

/// <summary>
/// A durable second deduplication key per queued message (<c>Envelope.dedupe_key</c>, stamped on its later sends):
/// kept with the message, so it survives a restart, and gone with it when the message is acknowledged.
/// </summary>
internal interface IOutboxDedupeKeys
{
    /// <summary>
    /// Stores <paramref name="key"/> for the queued message <paramref name="messageId"/> and waits until it is on disk
    /// (one commit and fsync); false if the store is unavailable or the id is not a message id.
    /// </summary>
    bool SaveDedupeKey(string messageId, string key);

    /// <summary>Every stored key, oldest message first (empty if the store is unavailable).</summary>
    IReadOnlyList<KeyValuePair<string, string>> LoadDedupeKeys();
}
