using EdgeGateway.Contracts.Evidence;
using LiteDB;

namespace EdgeGateway.Outbox.Storage;

/// <summary>
/// The CRC32C of a stored message's serialized envelope, taken at accept (field <c>k</c> of the
/// outbox document) and verified before the message is sent or salvaged, so a payload corrupted on
/// disk is detected instead of being delivered. Documents written before checksums existed carry no
/// <c>k</c> and are read as before.
/// </summary>
internal static class MessageChecksum
{
    /// <summary>Document field holding the checksum (Int32, the CRC32C bits).</summary>
    public const string Field = "k";

    /// <summary>Reason under which a message failing its checksum is counted and reported.</summary>
    public const string CorruptReason = "corrupt";

    /// <summary>The checksum value stored for <paramref name="payload"/>.</summary>
    public static int Of(ReadOnlySpan<byte> payload) => unchecked((int)Crc32C.Compute(payload));

    /// <summary>
    /// True when the document's payload matches its stored checksum, or it has none (an older
    /// document); false when the checksum or payload is missing, mistyped or different.
    /// </summary>
    public static bool IsIntact(BsonDocument document)
    {
        var payload = document["b"];
        if (!payload.IsBinary)
        {
            return false;
        }

        var stored = document[Field];
        if (stored.IsNull)
        {
            return true;
        }

        return stored.IsInt32 && stored.AsInt32 == Of(payload.AsBinary);
    }
}
