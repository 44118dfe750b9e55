namespace EdgeGateway.Contracts.Tetra;

/// <summary>
/// Encodes and decodes the LIP short location report (ETSI TS 100 392-18-1 clause 6.2.1): protocol
/// identifier 0x0A (8 bits), then PDU type 0 (2), time elapsed (2), longitude (25), latitude (24),
/// position error (3), horizontal velocity (7), direction of travel (4), type of additional data (1),
/// additional data (8): 84 bits, carried as 11 bytes with 4 padding bits. Never throws on decode.
/// </summary>
public static class LipCodec
{
    /// <summary>Protocol identifier of LIP (SDS type 4).</summary>
    public const byte ProtocolId = 0x0A;

    /// <summary>Bits of a short location report, protocol identifier included.</summary>
    public const int ShortReportBits = 84;

    private const double LongitudeStep = 360.0 / (1 << 25);
    private const double LatitudeStep = 180.0 / (1 << 24);

    /// <summary>Longest message id (and dedupe key) FleetControl accepts.</summary>
    public const int MaxMessageIdLength = 128;

    /// <summary>
    /// The message id FleetControl's TETRA gateway gives a LIP position whose report carries a sender's reference
    /// (user-defined additional data), and the dedupe key of that position: <c>lip-&lt;device&gt;-&lt;hex of the 84 bits&gt;</c>
    /// (hashed when longer than <see cref="MaxMessageIdLength"/>). The gateway computes it from the LIP it sent and puts
    /// it on the position's envelope (<c>Envelope.dedupe_key</c>) when that goes over LTE too, so the one fix is stored once.
    /// <paramref name="lip"/> starts with the protocol identifier.
    /// </summary>
    public static string MessageIdOf(string deviceId, ReadOnlySpan<byte> lip)
    {
        var bits = lip[..Math.Min(lip.Length, (ShortReportBits + 7) / 8)];
        var id = $"lip-{deviceId}-{Convert.ToHexString(bits)}";
        return id.Length <= MaxMessageIdLength
            ? id
            : $"lip-{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(id)))}";
    }

    /// <summary>The report as 11 bytes (84 bits, left aligned).</summary>
    public static byte[] Encode(LipShortReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var bytes = new byte[(ShortReportBits + 7) / 8];
        var writer = new BitWriter(bytes);
        writer.Write(ProtocolId, 8);
        writer.Write(0, 2);
        writer.Write((uint)Math.Clamp(report.TimeElapsed, 0, 3), 2);
        writer.Write(Coordinate(report.Longitude, LongitudeStep, 25), 25);
        writer.Write(Coordinate(report.Latitude, LatitudeStep, 24), 24);
        writer.Write((uint)Math.Clamp(report.PositionError, 0, 7), 3);
        writer.Write((uint)Math.Clamp(report.HorizontalVelocity, 0, 127), 7);
        writer.Write((uint)Math.Clamp(report.DirectionOfTravel, 0, 15), 4);
        writer.Write(report.AdditionalDataIsUserDefined ? 1u : 0u, 1);
        writer.Write((uint)Math.Clamp(report.AdditionalData, 0, 255), 8);
        return bytes;
    }

    /// <summary>
    /// Decodes a short location report from SDS user data that starts with the protocol identifier.
    /// False for another protocol, another PDU type or fewer than <paramref name="bitLength"/> = 84 bits.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> data, int bitLength, out LipShortReport? report)
    {
        report = null;
        if (bitLength < ShortReportBits || data.Length * 8 < ShortReportBits || data[0] != ProtocolId)
        {
            return false;
        }

        var reader = new BitReader(data);
        reader.Read(8);
        if (reader.Read(2) != 0)
        {
            return false; // a PDU with extension (long report, requests...), not a short report
        }

        var elapsed = (int)reader.Read(2);
        var longitude = SignExtend(reader.Read(25), 25) * LongitudeStep;
        var latitude = SignExtend(reader.Read(24), 24) * LatitudeStep;
        report = new LipShortReport(
            elapsed,
            longitude,
            latitude,
            (int)reader.Read(3),
            (int)reader.Read(7),
            (int)reader.Read(4),
            reader.Read(1) == 1,
            (int)reader.Read(8));
        return true;
    }

    /// <summary>
    /// Horizontal velocity in km/h of a coded value (clause 6.3.17): 0-28 are km/h; above,
    /// v = 16 × 1.038^(n − 13); 127 is unknown (null).
    /// </summary>
    public static double? VelocityKmh(int coded) => coded switch
    {
        < 0 or >= 127 => null,
        <= 28 => coded,
        _ => 16 * Math.Pow(1.038, coded - 13),
    };

    /// <summary>The coded value nearest to <paramref name="kmh"/> (inverse of <see cref="VelocityKmh"/>).</summary>
    public static int VelocityCode(double kmh)
    {
        if (!(kmh >= 0))
        {
            return 127;
        }

        if (kmh < 28.5)
        {
            return (int)Math.Round(kmh);
        }

        var n = (int)Math.Round(13 + (Math.Log(kmh / 16) / Math.Log(1.038)));
        return Math.Clamp(n, 29, 126);
    }

    /// <summary>
    /// Sets the short report's additional data to user-defined (type of additional data = 1) carrying
    /// <paramref name="value"/>: the gateway puts an 8-bit reference there, which FleetControl's TETRA gateway
    /// returns in an SDS-TL report once the position is stored (the short report has no acknowledgement of its own).
    /// False if <paramref name="pdu"/> is not a short report.
    /// </summary>
    public static bool TrySetUserData(Span<byte> pdu, byte value)
    {
        if (pdu.Length * 8 < ShortReportBits || pdu[0] != ProtocolId || (pdu[1] >> 6) != 0)
        {
            return false;
        }

        // Bit 75 is the type of additional data, bits 76-83 the data (bit 0 = MSB of byte 0).
        SetBits(pdu, 75, 1, 1);
        SetBits(pdu, 76, 8, value);
        return true;
    }

    /// <summary>A short report for a position: time elapsed &lt;5 s, error &lt;20 m unless told, velocity and heading coded.</summary>
    public static LipShortReport FromPosition(double latitude, double longitude, double? speedMetresPerSecond, double? trackDegrees, int positionError = 1) =>
        new(
            0,
            longitude,
            latitude,
            positionError,
            speedMetresPerSecond is { } speed ? VelocityCode(speed * 3.6) : 127,
            trackDegrees is { } track ? (int)Math.Round(((track % 360) + 360) % 360 / 22.5) % 16 : 0,
            false,
            0);

    private static void SetBits(Span<byte> bytes, int position, int bits, uint value)
    {
        for (var i = bits - 1; i >= 0; i--, position++)
        {
            var mask = (byte)(0x80 >> (position & 7));
            if (((value >> i) & 1) != 0)
            {
                bytes[position >> 3] |= mask;
            }
            else
            {
                bytes[position >> 3] &= (byte)~mask;
            }
        }
    }

    private static uint Coordinate(double degrees, double step, int bits)
    {
        var limit = 1L << (bits - 1);
        var value = (long)Math.Round(double.IsFinite(degrees) ? degrees / step : 0);
        value = Math.Clamp(value, -limit, limit - 1);
        return (uint)(value & ((1L << bits) - 1));
    }

    private static long SignExtend(uint value, int bits) => (value & (1u << (bits - 1))) != 0 ? value - (1L << bits) : value;

    private ref struct BitWriter(Span<byte> bytes)
    {
        private readonly Span<byte> _bytes = bytes;
        private int _position;

        public void Write(uint value, int bits)
        {
            for (var i = bits - 1; i >= 0; i--, _position++)
            {
                if (((value >> i) & 1) != 0)
                {
                    _bytes[_position >> 3] |= (byte)(0x80 >> (_position & 7));
                }
            }
        }
    }

    private ref struct BitReader(ReadOnlySpan<byte> bytes)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private int _position;

        public uint Read(int bits)
        {
            uint value = 0;
            for (var i = 0; i < bits; i++, _position++)
            {
                value = (value << 1) | (uint)((_bytes[_position >> 3] >> (7 - (_position & 7))) & 1);
            }

            return value;
        }
    }
}
