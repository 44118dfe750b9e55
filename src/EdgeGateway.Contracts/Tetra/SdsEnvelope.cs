using EdgeGateway.Contracts.V1;
using Google.Protobuf;

namespace EdgeGateway.Contracts.Tetra;

/// <summary>
/// An <see cref="Envelope"/> carried in one SDS type 4 over TETRA: SDS-TL transfer with protocol identifier
/// <see cref="Pid"/> (from the range 0xC0-0xFE that EN 300 392-2 leaves to user applications), one format
/// byte (<see cref="FormatVersion"/>), then the envelope's protobuf encoding. The envelope keeps its message
/// id, so FleetControl's deduplication makes a copy that also arrived over MQTT harmless.
/// </summary>
public static class SdsEnvelope
{
    /// <summary>The protocol identifier of an envelope SDS.</summary>
    public const byte Pid = 0xC8;

    /// <summary>The only format so far: protobuf <see cref="Envelope"/>.</summary>
    public const byte FormatVersion = 1;

    /// <summary>Most envelope bytes that fit: 2,047 bits less the SDS-TL header and the format byte.</summary>
    public const int MaxEnvelopeBytes = SdsTl.MaxBytes - SdsTl.TransferHeaderLength - 1;

    /// <summary>The bytes after the SDS-TL header: format byte then the envelope; null if it does not fit one SDS.</summary>
    public static byte[]? TryEncodeUserData(Envelope envelope)
    {
        var size = envelope.CalculateSize();
        if (size > MaxEnvelopeBytes)
        {
            return null;
        }

        var data = new byte[size + 1];
        data[0] = FormatVersion;
        envelope.WriteTo(data.AsSpan(1));
        return data;
    }

    /// <summary>Decodes the user data of an envelope SDS; false (and a reason) for another format or bytes that do not parse.</summary>
    public static bool TryDecodeUserData(ReadOnlySpan<byte> userData, out Envelope? envelope, out string? error)
    {
        envelope = null;
        if (userData.IsEmpty || userData[0] != FormatVersion)
        {
            error = userData.IsEmpty ? "empty" : $"unknown format {userData[0]}";
            return false;
        }

        try
        {
            envelope = Envelope.Parser.ParseFrom(userData[1..]);
            error = null;
            return true;
        }
        catch (InvalidProtocolBufferException e)
        {
            error = e.Message;
            return false;
        }
    }
}
