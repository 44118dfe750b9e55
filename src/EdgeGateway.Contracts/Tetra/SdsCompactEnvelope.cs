using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using EdgeGateway.Contracts.V1;
using Google.Protobuf;

namespace EdgeGateway.Contracts.Tetra;

/// <summary>
/// The compact form of an urgent <see cref="Envelope"/> over TETRA, for one too large for a plain envelope SDS
/// (<see cref="SdsEnvelope.MaxEnvelopeBytes"/>): the same PID <see cref="SdsEnvelope.Pid"/> and SDS-TL transfer,
/// format byte <see cref="FormatVersion"/>, and a payload split over at most <see cref="MaxSegments"/> SDS.
/// <para>
/// Payload (before splitting): one flags byte; the message id as 16 binary bytes when it is a UUID in its
/// canonical text form (<see cref="UuidMessageId"/>); then the envelope's protobuf encoding without the message id
/// (when binary), without the device id (the receiver knows it from the calling ISSI) and without an ANPR hit's
/// inline image bytes (they also travel as their own Bulk envelopes and in the full copy over LTE), raw-deflated
/// when that is smaller (<see cref="Deflated"/>).
/// </para>
/// <para>
/// Segment (the user data after the SDS-TL header): format byte, <c>index &lt;&lt; 4 | count</c>, a 16-bit key of the
/// message id (big-endian), then up to <see cref="SegmentDataBytes"/> payload bytes. The receiver puts the segments
/// of one key and count from one terminal together in any order; see <see cref="SdsReassembler"/> for the rule when
/// one is lost. Never throws on input.
/// </para>
/// </summary>
public static class SdsCompactEnvelope
{
    /// <summary>The format byte of a compact segment (the plain envelope is <see cref="SdsEnvelope.FormatVersion"/>).</summary>
    public const byte FormatVersion = 2;

    /// <summary>Most SDS one envelope is split over: a few seconds of air time, and a small reassembly state.</summary>
    public const int MaxSegments = 4;

    /// <summary>Bytes of a segment's own header: format, index/count, 16-bit key.</summary>
    public const int SegmentHeaderBytes = 4;

    /// <summary>Payload bytes per segment: what one SDS-TL transfer holds less the segment header.</summary>
    public const int SegmentDataBytes = SdsTl.MaxBytes - SdsTl.TransferHeaderLength - SegmentHeaderBytes;

    /// <summary>Most compact payload bytes: <see cref="MaxSegments"/> full segments.</summary>
    public const int MaxPayloadBytes = MaxSegments * SegmentDataBytes;

    /// <summary>Flag: the message id is 16 binary bytes after the flags.</summary>
    public const byte UuidMessageId = 0x01;

    /// <summary>Flag: the protobuf part is raw deflate.</summary>
    public const byte Deflated = 0x02;

    /// <summary>Most bytes an inflated envelope may have (a bound against hostile input).</summary>
    private const int MaxInflatedBytes = 64 * 1024;

    /// <summary>
    /// The SDS user data (one per segment, each after its own SDS-TL header) carrying <paramref name="envelope"/>:
    /// the plain envelope SDS when it fits one, else the compact form; null when even that needs more than
    /// <see cref="MaxSegments"/> SDS (it waits for LTE).
    /// </summary>
    public static IReadOnlyList<byte[]>? TryEncodeForSds(Envelope envelope) =>
        SdsEnvelope.TryEncodeUserData(envelope) is { } plain ? [plain] : TryEncodeSegments(envelope);

    /// <summary>The compact segments of <paramref name="envelope"/>; null when they would be more than <see cref="MaxSegments"/>.</summary>
    public static IReadOnlyList<byte[]>? TryEncodeSegments(Envelope envelope)
    {
        var payload = EncodePayload(envelope);
        if (payload.Length > MaxPayloadBytes)
        {
            return null;
        }

        var count = Math.Max(1, (payload.Length + SegmentDataBytes - 1) / SegmentDataBytes);
        var key = KeyOf(envelope.MessageId);
        var segments = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            var chunk = payload.AsSpan(i * SegmentDataBytes, Math.Min(SegmentDataBytes, payload.Length - (i * SegmentDataBytes)));
            var segment = new byte[SegmentHeaderBytes + chunk.Length];
            segment[0] = FormatVersion;
            segment[1] = (byte)((i << 4) | count);
            BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(2), key);
            chunk.CopyTo(segment.AsSpan(SegmentHeaderBytes));
            segments[i] = segment;
        }

        return segments;
    }

    /// <summary>The compact payload (flags, id, protobuf) before it is split.</summary>
    public static byte[] EncodePayload(Envelope envelope)
    {
        var stripped = envelope.Clone();
        stripped.DeviceId = string.Empty;
        if (stripped.BodyCase == Envelope.BodyOneofCase.AnprHit)
        {
            stripped.AnprHit.Images.Clear();
        }

        byte flags = 0;
        var id = Guid.Empty;
        if (IsCanonicalUuid(envelope.MessageId, out id))
        {
            flags |= UuidMessageId;
            stripped.MessageId = string.Empty;
        }

        var body = stripped.ToByteArray();
        var deflated = Deflate(body);
        if (deflated.Length < body.Length)
        {
            flags |= Deflated;
            body = deflated;
        }

        var idBytes = (flags & UuidMessageId) != 0 ? 16 : 0;
        var payload = new byte[1 + idBytes + body.Length];
        payload[0] = flags;
        if (idBytes > 0)
        {
            id.TryWriteBytes(payload.AsSpan(1), bigEndian: true, out _);
        }

        body.CopyTo(payload.AsSpan(1 + idBytes));
        return payload;
    }

    /// <summary>Decodes an assembled compact payload; the device id is the one the calling terminal belongs to.</summary>
    public static bool TryDecodePayload(ReadOnlySpan<byte> payload, string deviceId, out Envelope? envelope, out string? error)
    {
        envelope = null;
        if (payload.IsEmpty || (payload[0] & ~(UuidMessageId | Deflated)) != 0)
        {
            error = payload.IsEmpty ? "empty compact payload" : $"unknown compact flags 0x{payload[0]:X2}";
            return false;
        }

        var flags = payload[0];
        var offset = 1;
        string? messageId = null;
        if ((flags & UuidMessageId) != 0)
        {
            if (payload.Length < 17)
            {
                error = "compact payload too short for its message id";
                return false;
            }

            messageId = new Guid(payload.Slice(1, 16), bigEndian: true).ToString("D");
            offset = 17;
        }

        var body = payload[offset..];
        byte[]? inflated = null;
        if ((flags & Deflated) != 0 && !TryInflate(body, out inflated))
        {
            error = "compact payload does not inflate";
            return false;
        }

        try
        {
            var decoded = inflated is null ? Envelope.Parser.ParseFrom(body) : Envelope.Parser.ParseFrom(inflated);
            if (messageId is not null)
            {
                decoded.MessageId = messageId;
            }

            decoded.DeviceId = deviceId;
            envelope = decoded;
            error = null;
            return true;
        }
        catch (InvalidProtocolBufferException e)
        {
            error = e.Message;
            return false;
        }
    }

    /// <summary>Reads a segment's header; false for another format, a bad index/count or no data.</summary>
    public static bool TryReadSegment(ReadOnlyMemory<byte> userData, out int index, out int count, out ushort key, out ReadOnlyMemory<byte> data)
    {
        index = count = 0;
        key = 0;
        data = ReadOnlyMemory<byte>.Empty;
        var span = userData.Span;
        if (span.Length <= SegmentHeaderBytes || span[0] != FormatVersion)
        {
            return false;
        }

        index = span[1] >> 4;
        count = span[1] & 0x0F;
        if (count is < 1 or > MaxSegments || index >= count || span.Length - SegmentHeaderBytes > SegmentDataBytes)
        {
            return false;
        }

        key = BinaryPrimitives.ReadUInt16BigEndian(span[2..]);
        data = userData[SegmentHeaderBytes..];
        return true;
    }

    /// <summary>The 16-bit key of a message id (FNV-1a folded): the same on every re-send.</summary>
    public static ushort KeyOf(string messageId)
    {
        var hash = Fnv1a(messageId);
        return (ushort)((hash >> 16) ^ (hash & 0xFFFF));
    }

    /// <summary>32-bit FNV-1a over the UTF-8 bytes of <paramref name="text"/>: stable across processes and restarts.</summary>
    public static uint Fnv1a(string text)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = (hash ^ b) * 16777619u;
        }

        return hash;
    }

    private static bool IsCanonicalUuid(string text, out Guid id) =>
        Guid.TryParseExact(text, "D", out id) && string.Equals(id.ToString("D"), text, StringComparison.Ordinal);

    private static byte[] Deflate(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var deflate = new DeflateStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            deflate.Write(bytes);
        }

        return output.ToArray();
    }

    private static bool TryInflate(ReadOnlySpan<byte> bytes, out byte[]? inflated)
    {
        inflated = null;
        try
        {
            using var input = new MemoryStream(bytes.ToArray());
            using var inflate = new DeflateStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream();
            var buffer = new byte[4096];
            int read;
            while ((read = inflate.Read(buffer)) > 0)
            {
                if (output.Length + read > MaxInflatedBytes)
                {
                    return false;
                }

                output.Write(buffer, 0, read);
            }

            inflated = output.ToArray();
            return true;
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }
}
