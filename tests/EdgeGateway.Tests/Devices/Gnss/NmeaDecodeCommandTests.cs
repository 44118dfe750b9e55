using System.Text.Json;
using EdgeGateway.Devices.Gnss;

namespace EdgeGateway.Tests.Devices.Gnss;

public sealed class NmeaDecodeCommandTests
{
    [Fact]
    public async Task RunAsync_Capture_PrintsOneTpvPerFix()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var code = await NmeaDecodeCommand.RunAsync([GnssTestData.PathOf("com-1289.log")], output, error, TestContext.Current.CancellationToken)
            .WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(0, code);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(14, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        var tpv = first.RootElement;
        Assert.Equal("TPV", tpv.GetProperty("class").GetString());
        Assert.Equal("2007-10-12T14:37:48.770Z", tpv.GetProperty("time").GetString());
        Assert.Equal(48.106218333, tpv.GetProperty("lat").GetDouble(), 9);
        Assert.Equal(-1.643695, tpv.GetProperty("lon").GetDouble(), 9);
        Assert.Equal(42.2, tpv.GetProperty("alt").GetDouble());
        Assert.Equal(0, tpv.GetProperty("speed").GetDouble());
        Assert.Equal(266.5, tpv.GetProperty("track").GetDouble());
        Assert.Equal(3, tpv.GetProperty("mode").GetInt32());
        Assert.Equal("", error.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("a.log b.log")]
    [InlineData("--help")]
    public async Task RunAsync_BadArguments_UsageOnStderrAndNonZero(string joined)
    {
        var args = joined.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var output = new StringWriter();
        var error = new StringWriter();

        var code = await NmeaDecodeCommand.RunAsync(args, output, error, TestContext.Current.CancellationToken);

        Assert.NotEqual(0, code);
        Assert.Contains("usage", error.ToString(), StringComparison.Ordinal);
        Assert.Equal("", output.ToString());
    }

    [Fact]
    public async Task RunAsync_MissingFile_MessageOnStderrAndNonZero()
    {
        var error = new StringWriter();
        var missing = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".log");

        var code = await NmeaDecodeCommand.RunAsync([missing], new StringWriter(), error, TestContext.Current.CancellationToken);

        Assert.NotEqual(0, code);
        Assert.Contains(missing, error.ToString(), StringComparison.Ordinal);
    }
}
