using EdgeGateway.Contracts.V1;
using EdgeGateway.Outbox;

namespace EdgeGateway.Uplink.Drain;

/// <summary>
/// Builds the wire form of an <see cref="EnvelopeBatch"/> straight from the outbox's serialized
/// envelopes (field 1, length-delimited, repeated) without parsing and re-serializing them.
/// </summary>
internal static class EnvelopeBatchPayload
{
    private const byte EnvelopesTag = (1 << 3) | 2;

    /// <summary>Bytes one envelope adds to a batch.</summary>
    public static int SizeOf(OutboxMessage message) => 1 + VarintSize((uint)message.Envelope.Length) + message.Envelope.Length;

    public static byte[] Build(IReadOnlyList<OutboxMessage> messages)
    {
        var size = 0;
        foreach (var message in messages)
        {
            size += SizeOf(message);
        }

        var buffer = new byte[size];
        var position = 0;
        foreach (var message in messages)
        {
            buffer[position++] = EnvelopesTag;
            var length = (uint)message.Envelope.Length;
            while (length >= 0x80)
            {
                buffer[position++] = (byte)(length | 0x80);
                length >>= 7;
            }

            buffer[position++] = (byte)length;
            message.Envelope.Span.CopyTo(buffer.AsSpan(position));
            position += message.Envelope.Length;
        }

        return buffer;
    }

    private static int VarintSize(uint value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }
}
