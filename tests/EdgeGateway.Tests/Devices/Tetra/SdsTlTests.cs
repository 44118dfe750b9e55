using EdgeGateway.Contracts.Tetra;
using EdgeGateway.Contracts.V1;

namespace EdgeGateway.Tests.Devices.Tetra;

public sealed class SdsTlTests
{
    [Fact]
    public void Transfer_EncodeThenDecode_KeepsHeaderAndUserData()
    {
        var pdu = SdsTl.EncodeTransfer(SdsTl.TextMessagingPid, 0x2A, 3, [0x01, 0x48, 0x69]);

        // PID, type 0 with report request 11 in bits 3-2, reference, then the user data.
        Assert.Equal(new byte[] { 0x82, 0x0C, 0x2A, 0x01, 0x48, 0x69 }, pdu);
        Assert.True(SdsTl.TryDecode(pdu, out var decoded));
        Assert.Equal(SdsTlMessageType.Transfer, decoded!.Type);
        Assert.Equal(0x2A, decoded.MessageReference);
        Assert.Equal(3, decoded.ReportRequest);
        Assert.Equal(new byte[] { 0x01, 0x48, 0x69 }, decoded.UserData.ToArray());
    }

    [Fact]
    public void Report_EncodeThenDecode_CarriesStatusAndReference()
    {
        var pdu = SdsTl.EncodeReport(SdsEnvelope.Pid, 7, 0x02);

        Assert.True(SdsTl.TryDecode(pdu, out var decoded));
        Assert.Equal(SdsTlMessageType.Report, decoded!.Type);
        Assert.Equal(7, decoded.MessageReference);
        Assert.Equal(0x02, decoded.DeliveryStatus);
        Assert.True(SdsTlPdu.IsSuccess(decoded.DeliveryStatus));
        Assert.False(SdsTlPdu.IsSuccess(0x41));
        Assert.True(SdsTlPdu.IsTemporaryError(0x20));
    }

    [Fact]
    public void Transfer_WithStorageAndSsiForwardAddress_UserDataStartsAfterTheAddress()
    {
        // Storage bit set; validity 0 and forward address type 1 (SSI, 24 bits) follow the reference.
        byte[] pdu = [0x82, 0x01, 0x05, 0x01, 0x00, 0x12, 0x34, 0x01, 0x41];

        Assert.True(SdsTl.TryDecode(pdu, out var decoded));
        Assert.Equal(new byte[] { 0x01, 0x41 }, decoded!.UserData.ToArray());
    }

    [Theory]
    [InlineData(new byte[] { 0x0A, 0x00, 0x00 })]   // LIP: no SDS-TL
    [InlineData(new byte[] { 0x82, 0x00 })]         // too short
    [InlineData(new byte[] { 0x82, 0x50, 0x00 })]   // unknown PDU type
    [InlineData(new byte[] { 0x82, 0x10, 0x00 })]   // report without reference
    [InlineData(new byte[] { 0x82, 0x01, 0x05 })]   // storage without its octet
    public void TryDecode_NotAnSdsTlPdu_ReturnsFalse(byte[] bytes) => Assert.False(SdsTl.TryDecode(bytes, out _));

    [Theory]
    [InlineData("0A1B", 16, new byte[] { 0x0A, 0x1B })]
    [InlineData("0a1b", 12, new byte[] { 0x0A, 0x10 })]   // 12 bits: 3 digits, zero padded
    [InlineData(" 8002 ", 16, new byte[] { 0x80, 0x02 })]
    [InlineData("80021234", 16, new byte[] { 0x80, 0x02 })] // more digits than the length: ignored
    public void TryFromHex_Valid_ReadsTheBits(string hex, int bits, byte[] expected)
    {
        Assert.True(SdsTl.TryFromHex(hex, bits, out var bytes));
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("0G", 8)]
    [InlineData("0A", 16)]
    public void TryFromHex_Invalid_ReturnsFalse(string hex, int bits) => Assert.False(SdsTl.TryFromHex(hex, bits, out _));

    [Fact]
    public void Envelope_RoundTripsThroughSdsUserData()
    {
        var envelope = new Envelope
        {
            MessageId = "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
            DeviceId = "vehicle-01",
            Stream = "radio",
            Sequence = 12,
            Priority = PriorityClass.Emergency,
            Event = new DeviceEvent { Type = "emergency", Detail = "TETRA emergency button" },
        };

        var data = SdsEnvelope.TryEncodeUserData(envelope);

        Assert.NotNull(data);
        Assert.True(SdsTl.TransferHeaderLength + data!.Length <= SdsTl.MaxBytes);
        Assert.True(SdsEnvelope.TryDecodeUserData(data, out var back, out _));
        Assert.Equal(envelope, back);
    }

    [Fact]
    public void Envelope_TooLargeForOneSds_IsNotEncoded()
    {
        var envelope = new Envelope { MessageId = "x", Event = new DeviceEvent { Detail = new string('x', 300) } };

        Assert.Null(SdsEnvelope.TryEncodeUserData(envelope));
    }

    [Theory]
    [InlineData(new byte[] { 0x02, 0x08 })]   // unknown format
    [InlineData(new byte[] { 0x01, 0xFF, 0xFF })] // not protobuf
    [InlineData(new byte[0])]
    public void Envelope_BadUserData_IsRefusedWithAReason(byte[] data)
    {
        Assert.False(SdsEnvelope.TryDecodeUserData(data, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Theory]
    [InlineData("SDS 1001 9000 C80401AB", true)]
    [InlineData("SDS 1001 9000 C80401A", false)]   // odd digit count
    [InlineData("SDS 10x1 9000 C8", false)]
    [InlineData("REPORT 1001 9000 C8", false)]
    [InlineData("SDS 1001 9000", false)]
    [InlineData("", false)]
    public void SwmiLink_Parse(string line, bool valid)
    {
        Assert.Equal(valid, SwmiLink.TryParse(line, out var calling, out var called, out var data));
        if (valid)
        {
            Assert.Equal("1001", calling);
            Assert.Equal("9000", called);
            Assert.Equal(line, SwmiLink.Format(calling, called, data));
        }
    }
}
