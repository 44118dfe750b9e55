using EdgeGateway.Contracts.V1;
using EdgeGateway.Devices.Gnss;
using EdgeGateway.Devices.Gnss.Nmea;

namespace EdgeGateway.Tests.Devices.Gnss;

public sealed class GnssHealthContributorTests
{
    [Fact]
    public void Contribute_AfterRejects_EveryRejectKindHasItsCounter()
    {
        var counters = new GnssCounters();
        var text = "noise" + NmeaText.Line("GPGGA,1,2,3").Replace("*", "*0", StringComparison.Ordinal)
            + "$GPGGA,1,2,3\r\n"
            + "$GPGGA,1,2,3*00\r\n"
            + "$GPGGA," + new string('9', NmeaReader.MaxSentenceLength) + "\r\n"
            + NmeaText.Line("PUBX,00") + NmeaText.Line("GPTXT,01,01,02,hello") + NmeaText.Line("GPGGA,1,2,3");
        NmeaFeed.Sentences(NmeaText.Bytes(text), 16, counters.Nmea);
        var report = new HealthReport();

        new GnssHealthContributor(counters).Contribute(report);

        Assert.Equal(1ul, report.Counters["gnss.rejected.garbage"]);
        Assert.Equal(1ul, report.Counters["gnss.rejected.malformed"]);
        Assert.Equal(1ul, report.Counters["gnss.rejected.missing_checksum"]);
        Assert.Equal(1ul, report.Counters["gnss.rejected.bad_checksum"]);
        Assert.Equal(1ul, report.Counters["gnss.rejected.overlong"]);
        Assert.Equal(1ul, report.Counters["gnss.skipped.proprietary"]);
        Assert.Equal(1ul, report.Counters["gnss.skipped.unsupported"]);
        Assert.Equal(1ul, report.Counters["gnss.sentences"]);
        Assert.Contains("gnss.thinned", report.Counters.Keys);
        Assert.Contains("gnss.transport.connects", report.Counters.Keys);
    }
}
