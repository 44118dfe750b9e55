using EdgeGateway.Contracts.Evidence;
using EdgeGateway.Evidence;

namespace EdgeGateway.Tests.Contracts;

public sealed class Crc32CTests
{
    [Fact]
    public void Compute_CheckVector_MatchesCastagnoliReference()
    {
        // RFC 3720 / iSCSI check value for "123456789".
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
    }

    [Fact]
    public void Compute_OneBitFlipped_Differs()
    {
        var data = new byte[1 << 20];
        new Random(7).NextBytes(data);
        var before = Crc32C.Compute(data);
        data[data.Length / 2] ^= 0x10;
        Assert.NotEqual(before, Crc32C.Compute(data));
    }
}
