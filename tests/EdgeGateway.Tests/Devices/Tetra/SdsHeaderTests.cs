using System.Text;
using EdgeGateway.Devices.Modem;
using EdgeGateway.Devices.Tetra;

namespace EdgeGateway.Tests.Devices.Tetra;

/// <summary><c>+CTSDSR</c> headers as different terminals write them (EN 300 392-5 and vendor variants).</summary>
public sealed class SdsHeaderTests
{
    [Theory]
    [InlineData("12,1001,0,9000,0,96", 12, "1001", "9000", 96)]                 // no end-to-end encryption field
    [InlineData("12,1001,0,9000,0,0,96", 12, "1001", "9000", 96)]               // with it
    [InlineData("13,\"2341001\",1,\"2349000\",1,16", 13, "2341001", "2349000", 16)] // quoted ITSIs
    [InlineData("12,,,9000,0,84", 12, "", "9000", 84)]                          // calling party withheld
    [InlineData("13, 1001 , 0, 9000, 0, 16", 13, "1001", "9000", 16)]          // spaces
    public void TryParse_VendorVariants(string parameters, int service, string calling, string called, int bits)
    {
        Assert.True(SdsHeader.TryParse(Encoding.ASCII.GetBytes(parameters), out var header));
        Assert.Equal(new SdsHeader(service, calling, called, bits), header);
    }

    [Theory]
    [InlineData("")]
    [InlineData("x,1001,0,9000,0,16")]
    [InlineData("12,1001,0,9000,0,abc")]
    [InlineData("12,1001,0,9000,0,4096")]      // beyond 2,047 bits
    [InlineData("12,\"1001,0,9000,0,16")]      // broken quote
    [InlineData("12,1,2,3,4,5,6,7,8")]          // too many fields
    public void TryParse_Broken_ReturnsFalse(string parameters) =>
        Assert.False(SdsHeader.TryParse(Encoding.ASCII.GetBytes(parameters), out _));

    [Theory]
    [InlineData("22,99", 22, -69)]
    [InlineData("99,99", null, null)]
    [InlineData("0", 0, -113)]
    public void SignalQuality_Csq(string parameters, int? rssi, int? dbm)
    {
        Assert.True(SignalQuality.TryParse(Encoding.ASCII.GetBytes(parameters), out var quality));
        Assert.Equal(rssi, quality!.Rssi);
        Assert.Equal(dbm, quality.Dbm);
    }
}
