using System.Net;
using EdgeGateway.Simulators.Gps;

namespace EdgeGateway.Simulators.Tests.Gps;

public sealed class GpsReadyLineTests
{
    [Fact]
    public void ToString_AllOutputs_MatchesDocumentedFormat()
    {
        var line = new GpsReadyLine("/dev/pts/5", "/tmp/edge-gps0", IPEndPoint.Parse("127.0.0.1:10110")).ToString();

        Assert.Equal("READY pty=/dev/pts/5 link=/tmp/edge-gps0 tcp=127.0.0.1:10110", line);
    }

    [Fact]
    public void TryParse_IPv6AndUnknownKey_RoundTrips()
    {
        Assert.True(GpsReadyLine.TryParse("READY tcp=[::1]:4000 future=1", out var ready));

        Assert.Null(ready.Pty);
        Assert.Equal(IPEndPoint.Parse("[::1]:4000"), ready.Tcp);
        Assert.Equal("READY tcp=[::1]:4000", ready.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("info: starting")]
    [InlineData("READYX pty=/dev/pts/1")]
    public void TryParse_OtherLines_False(string? line) => Assert.False(GpsReadyLine.TryParse(line, out _));
}
