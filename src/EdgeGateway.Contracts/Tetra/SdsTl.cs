using System.Buffers.Binary;

namespace EdgeGateway.Contracts.Tetra;

/// <summary>
/// The SDS transport layer (SDS-TL, ETSI EN 300 392-2 clause 29) on an SDS type 4 payload: the header
/// that carries a message reference and a delivery-report request, and the report that answers it.
/// Also the hex form that PEI uses for user data (<c>AT+CMGS</c>, <c>+CTSDSR</c>). Never throws on input.
/// </summary>
public static class SdsTl
{
    /// <summary>Protocol identifier of text messaging with SDS-TL.</summary>
    public const byte TextMessagingPid = 0x82;

    /// <summary>Protocol identifier of the LIP (location information protocol), no SDS-TL.</summary>
    public const byte LocationPid = 0x0A;

    /// <summary>Most bits in one SDS type 4 payload, protocol identifier included.</summary>
    public const int MaxBits = 2047;

    /// <summary>Most whole bytes in one SDS type 4 payload (2,047 bits round down).</summary>
    public const int MaxBytes = MaxBits / 8;

    /// <summary>Length of a transfer header without storage/forwarding: PID, type/flags, message reference.</summary>
    public const int TransferHeaderLength = 3;

    /// <summary>Whether a protocol identifier uses SDS-TL (EN 300 392-2 clause 29.4.3.9: 0x80-0xFF, with the exception of none).</summary>
    public static bool UsesTransportLayer(byte protocolId) => protocolId >= 0x80;

    /// <summary>An SDS-TRANSFER: PID, type 0 with the report request, storage off, the reference, then <paramref name="userData"/>.</summary>
    /// <param name="protocolId">The protocol identifier (first byte).</param>
    /// <param name="messageReference">The reference a report will carry back.</param>
    /// <param name="reportRequest">0 none, 1 received, 2 consumed, 3 both.</param>
    /// <param name="userData">What follows the header.</param>
    public static byte[] EncodeTransfer(byte protocolId, byte messageReference, byte reportRequest, ReadOnlySpan<byte> userData)
    {
        var pdu = new byte[TransferHeaderLength + userData.Length];
        pdu[0] = protocolId;
        pdu[1] = (byte)(((byte)SdsTlMessageType.Transfer << 4) | ((reportRequest & 0x3) << 2));
        pdu[2] = messageReference;
        userData.CopyTo(pdu.AsSpan(TransferHeaderLength));
        return pdu;
    }

    /// <summary>An SDS-REPORT for the transfer with <paramref name="messageReference"/>.</summary>
    public static byte[] EncodeReport(byte protocolId, byte messageReference, byte deliveryStatus) =>
        [protocolId, (byte)((byte)SdsTlMessageType.Report << 4), deliveryStatus, messageReference];

    /// <summary>Decodes an SDS-TL PDU; false for a non-TL protocol id, an unknown type or too few bytes.</summary>
    public static bool TryDecode(ReadOnlyMemory<byte> payload, out SdsTlPdu? pdu)
    {
        pdu = null;
        var span = payload.Span;
        if (span.Length < 3 || !UsesTransportLayer(span[0]))
        {
            return false;
        }

        var type = (SdsTlMessageType)(span[1] >> 4);
        switch (type)
        {
            case SdsTlMessageType.Transfer:
                var storage = (span[1] & 0x1) != 0;
                var offset = TransferHeaderLength;
                if (storage)
                {
                    // Validity period (5 bits) + forward address type (3 bits), then an address we do not use:
                    // 8 bits SNA (type 0), 24 bits SSI (type 1), or SSI + 24 bits extension (type 2).
                    if (span.Length < 4)
                    {
                        return false;
                    }

                    offset += 1 + (span[3] & 0x7) switch { 0 => 1, 1 => 3, 2 => 6, _ => 0 };
                    if (span.Length < offset)
                    {
                        return false;
                    }
                }

                pdu = new SdsTlPdu(span[0], type, span[2], (byte)((span[1] >> 2) & 0x3), 0, payload[offset..]);
                return true;
            case SdsTlMessageType.Report when span.Length >= 4:
                pdu = new SdsTlPdu(span[0], type, span[3], 0, span[2], ReadOnlyMemory<byte>.Empty);
                return true;
            case SdsTlMessageType.Ack when span.Length >= 4:
                pdu = new SdsTlPdu(span[0], type, span[3], 0, span[2], ReadOnlyMemory<byte>.Empty);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Upper-case hex, as PEI carries user data.</summary>
    public static string ToHex(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes);

    /// <summary>
    /// Reads PEI hex user data of <paramref name="lengthBits"/> bits (a trailing partial byte is kept, zero-padded).
    /// False on a non-hex character or fewer digits than the length needs; extra digits are ignored.
    /// </summary>
    public static bool TryFromHex(ReadOnlySpan<char> hex, int lengthBits, out byte[] bytes)
    {
        bytes = [];
        hex = hex.Trim();
        var digits = lengthBits < 0 ? hex.Length : (lengthBits + 3) / 4;
        if (digits > hex.Length)
        {
            return false;
        }

        var used = hex[..digits];
        var result = new byte[(digits + 1) / 2];
        for (var i = 0; i < used.Length; i++)
        {
            var value = HexValue(used[i]);
            if (value < 0)
            {
                return false;
            }

            result[i / 2] |= (byte)(i % 2 == 0 ? value << 4 : value);
        }

        bytes = result;
        return true;
    }

    /// <summary>A 16-bit pre-coded status value from its PEI hex form (<c>8002</c>); false otherwise.</summary>
    public static bool TryStatusValue(ReadOnlySpan<char> hex, out ushort value)
    {
        value = 0;
        if (!TryFromHex(hex, 16, out var bytes) || bytes.Length < 2)
        {
            return false;
        }

        value = BinaryPrimitives.ReadUInt16BigEndian(bytes);
        return true;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
