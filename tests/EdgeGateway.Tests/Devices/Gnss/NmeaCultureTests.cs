using System.Globalization;
using EdgeGateway.Devices.Gnss;

namespace EdgeGateway.Tests.Devices.Gnss;

public sealed class NmeaCultureTests
{
    [Fact]
    public async Task RunAsync_GermanCulture_OutputStillUsesDecimalPoints()
    {
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
        try
        {
            var output = new StringWriter();

            var code = await NmeaDecodeCommand.RunAsync([GnssTestData.PathOf("com-1289.log")], output, new StringWriter(), TestContext.Current.CancellationToken);

            Assert.Equal(0, code);
            Assert.StartsWith("{\"class\":\"TPV\",\"mode\":3,\"time\":\"2007-10-12T14:37:48.770Z\",\"lat\":48.106218333,\"lon\":-1.643695,", output.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }
}
