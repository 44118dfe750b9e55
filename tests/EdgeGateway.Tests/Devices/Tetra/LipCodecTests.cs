using EdgeGateway.Contracts.Tetra;
using EdgeGateway.Devices.Tetra;

namespace EdgeGateway.Tests.Devices.Tetra;

public sealed class LipCodecTests
{
    private static uint Bits(byte[] data, int from, int count)
    {
        uint value = 0;
        for (var i = from; i < from + count; i++)
        {
            value = (value << 1) | (uint)((data[i >> 3] >> (7 - (i & 7))) & 1);
        }

        return value;
    }

    /// <summary>
    /// The coding examples of TS 100 392-18-1 for latitude (clause 6.3.30: 0xCA1959 = -37.899131°) and
    /// longitude (clause 6.3.50: 0x0CE6C98 = 145.142012°), as quoted by open TETRA decoders.
    /// </summary>
    [Fact]
    public void Encode_StandardCoordinateExamples_ExactBits_AndDecodeBack()
    {
        var report = new LipShortReport(0, 145.142012, -37.899131, 2, 20, 4, false, 0);

        var bytes = LipCodec.Encode(report);

        Assert.Equal(11, bytes.Length);
        Assert.Equal(LipCodec.ProtocolId, bytes[0]);
        Assert.Equal(0u, Bits(bytes, 8, 2));
        Assert.Equal(0x0CE6C98u, Bits(bytes, 12, 25));
        Assert.Equal(0xCA1959u, Bits(bytes, 37, 24));
        Assert.True(LipCodec.TryDecode(bytes, LipCodec.ShortReportBits, out var decoded));
        Assert.Equal(145.142012, decoded!.Longitude, 5);
        Assert.Equal(-37.899131, decoded.Latitude, 5);
        Assert.Equal(20, decoded.HorizontalVelocity);
        Assert.Equal(4, decoded.DirectionOfTravel);
        Assert.Equal(2, decoded.PositionError);
    }

    [Fact]
    public void TrySetUserData_OnTheStandardExample_OnlyTheLastNineBitsChange()
    {
        var plain = LipCodec.Encode(new LipShortReport(0, 145.142012, -37.899131, 2, 20, 4, false, 0));
        var marked = plain.ToArray();

        Assert.True(LipCodec.TrySetUserData(marked, 0x2A));

        Assert.Equal(Bits(plain, 0, 75), Bits(marked, 0, 75));
        Assert.Equal(1u, Bits(marked, 75, 1));      // type of additional data: user-defined
        Assert.Equal(0x2Au, Bits(marked, 76, 8));   // the reference
        Assert.Equal(0u, Bits(marked, 84, 4));      // padding
        Assert.True(LipCodec.TryDecode(marked, LipCodec.ShortReportBits, out var decoded));
        Assert.Equal((true, 0x2A), (decoded!.AdditionalDataIsUserDefined, decoded.AdditionalData));
        Assert.False(LipCodec.TrySetUserData(new byte[5], 1));
    }

    [Theory]
    [InlineData(0.0, 0.0, 0, 0)]
    [InlineData(13.8889, 90.0, 50, 4)]     // 50 km/h east
    [InlineData(27.7778, 359.0, 100, 0)]   // 100 km/h, a degree west of north rounds to north
    [InlineData(5.0, 193.0, 18, 9)]        // 18 km/h, south by west (193 / 22.5 = 8.6)
    public void FromPosition_SpeedAndTrack_CodedAsClauses6317And6315(double metresPerSecond, double track, double kmh, int direction)
    {
        var report = LipCodec.FromPosition(51.5, -0.1, metresPerSecond, track);

        Assert.Equal(LipCodec.VelocityCode(kmh), report.HorizontalVelocity);
        Assert.Equal(direction, report.DirectionOfTravel);
        Assert.Equal(127, LipCodec.FromPosition(51.5, -0.1, null, null).HorizontalVelocity); // unknown
    }

    [Fact]
    public void TryDecode_WrongProtocolShortOrExtensionPdu_False()
    {
        var bytes = LipCodec.Encode(new LipShortReport(0, 0, 0, 0, 0, 0, false, 0));

        Assert.False(LipCodec.TryDecode(bytes, 83, out _));
        Assert.False(LipCodec.TryDecode(bytes.AsSpan(0, 10), 84, out _));
        var other = (byte[])bytes.Clone();
        other[0] = 0x82;
        Assert.False(LipCodec.TryDecode(other, 84, out _));
        var extension = (byte[])bytes.Clone();
        extension[1] |= 0x40; // PDU type 01
        Assert.False(LipCodec.TryDecode(extension, 84, out _));
    }

    [Fact]
    public void Velocity_CodedValues_FollowClause6317()
    {
        Assert.Equal(28, LipCodec.VelocityKmh(28));
        Assert.Equal(16 * Math.Pow(1.038, 16), LipCodec.VelocityKmh(29)!.Value, 9);
        Assert.Null(LipCodec.VelocityKmh(127));
        Assert.Equal(100, LipCodec.VelocityCode(LipCodec.VelocityKmh(100)!.Value));
        Assert.Equal(127, LipCodec.VelocityCode(double.NaN));
    }

    [Fact]
    public void RoundTrip_TenThousandRandomReports_WithinOneStep()
    {
        var random = new Random(392);
        for (var i = 0; i < 10_000; i++)
        {
            var report = new LipShortReport(
                random.Next(4),
                (random.NextDouble() * 360) - 180,
                (random.NextDouble() * 180) - 90,
                random.Next(8),
                random.Next(128),
                random.Next(16),
                random.Next(2) == 1,
                random.Next(256));

            var bytes = LipCodec.Encode(report);
            Assert.True(LipCodec.TryDecode(bytes, LipCodec.ShortReportBits, out var back));

            Assert.Equal(report with { Longitude = back!.Longitude, Latitude = back.Latitude }, back);
            Assert.True(Math.Abs(Wrap(back.Longitude - report.Longitude)) <= 360.0 / (1 << 25), $"longitude {report.Longitude} -> {back.Longitude}");
            Assert.True(Math.Abs(back.Latitude - report.Latitude) <= 180.0 / (1 << 24), $"latitude {report.Latitude} -> {back.Latitude}");
            Assert.Equal(bytes, LipCodec.Encode(back));
        }
    }

    private static double Wrap(double degrees) => degrees > 180 ? degrees - 360 : degrees < -180 ? degrees + 360 : degrees;
}
