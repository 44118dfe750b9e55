using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Outbox.Policy;
using Google.Protobuf;

namespace EdgeGateway.Outbox.Admission;

/// <summary>One envelope waiting for the next group commit, and (afterwards) its result.</summary>
internal sealed class PendingEnqueue
{
    /// <summary>Bytes accounted per message on top of the envelope (document keys, index node).</summary>
    public const int OverheadBytes = 64;

    private PendingEnqueue(byte[] id, int classIndex, string stream, ulong sequence, long capturedMs, long? expiresMs, byte[] payload, bool isInternal)
    {
        Id = id;
        ClassIndex = classIndex;
        Stream = stream;
        Sequence = sequence;
        CapturedMs = capturedMs;
        ExpiresMs = expiresMs;
        Payload = payload;
        IsInternal = isInternal;
    }

    public byte[] Id { get; }

    public int ClassIndex { get; }

    public string Stream { get; }

    public ulong Sequence { get; }

    public long CapturedMs { get; }

    public long? ExpiresMs { get; }

    public byte[] Payload { get; }

    /// <summary>The outbox's own reports and alarms: exempt from quota and disk reserve.</summary>
    public bool IsInternal { get; }

    public long Size => Payload.Length + OverheadBytes;

    /// <summary>Set under the outbox lock once the batch holding this item is decided.</summary>
    public EnqueueResult? Result { get; set; }

    public static PendingEnqueue From(Envelope envelope, bool isInternal)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var id = new byte[MonotonicMessageIdGenerator.ByteLength];
        if (!MonotonicMessageIdGenerator.TryParse(envelope.MessageId, id))
        {
            throw new ArgumentException($"Envelope message_id '{envelope.MessageId}' is not a UUID.", nameof(envelope));
        }

        var classIndex = EnvelopePolicy.ClassOf(envelope.Priority);
        if (classIndex < 0)
        {
            throw new ArgumentException($"Envelope priority {envelope.Priority} is not a stored class.", nameof(envelope));
        }

        if (string.IsNullOrEmpty(envelope.Stream))
        {
            throw new ArgumentException("Envelope stream is empty.", nameof(envelope));
        }

        var captured = envelope.CapturedAt is { } c ? c.ToDateTimeOffset().ToUnixTimeMilliseconds() : MonotonicMessageIdGenerator.TimestampOf(id);
        long? expires = envelope.ExpiresAt is { } x ? x.ToDateTimeOffset().ToUnixTimeMilliseconds() : null;
        return new PendingEnqueue(id, classIndex, envelope.Stream, envelope.Sequence, captured, expires, envelope.ToByteArray(), isInternal);
    }
}
