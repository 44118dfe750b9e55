using System.Globalization;
using EdgeGateway.Simulators.Gps;

namespace EdgeGateway.Simulators.Tests.Gps;

public sealed class NmeaWriterTests
{
    [Fact]
    public void Checksum_WellKnownGgaExample_Is47()
    {
        // The classic example sentence of the NMEA 0183 literature ends in *47.
        Assert.Equal(0x47, NmeaWriter.Checksum("GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,"));
    }

    [Fact]
    public void Gga_SampleFix_MatchesHandWrittenSentence()
    {
        // 51.7956° = 51° 47.7360'; -0.0788° = 0° 4.7280' W; checksum computed by hand (XOR of the body) = 0x7E.
        var gga = NmeaWriter.Gga(NmeaTestParser.SampleFix());

        Assert.Equal("$GPGGA,180509.25,5147.7360,N,00004.7280,W,1,09,0.90,41.3,M,45.9,M,,*7E\r\n", gga);
    }

    [Fact]
    public void Rmc_SampleFix_ParsesBackToTheFix()
    {
        var fix = NmeaTestParser.SampleFix();

        var f = NmeaTestParser.Fields(NmeaWriter.Rmc(fix));

        Assert.Equal("GPRMC", f[0]);
        Assert.Equal("180509.25", f[1]);
        Assert.Equal("A", f[2]);
        Assert.Equal(fix.Latitude, NmeaTestParser.Degrees(f[3], f[4]), 1e-6);
        Assert.Equal(fix.Longitude, NmeaTestParser.Degrees(f[5], f[6]), 1e-6);
        Assert.Equal(19.438, NmeaTestParser.Number(f[7]), 3);   // 10 m/s in knots
        Assert.Equal(87.46, NmeaTestParser.Number(f[8]), 2);
        Assert.Equal("231126", f[9]);
        Assert.Equal("A", f[12]);
        Assert.Equal(13, f.Length);
    }

    [Fact]
    public void Vtg_SampleFix_HasCourseAndBothSpeeds()
    {
        var f = NmeaTestParser.Fields(NmeaWriter.Vtg(NmeaTestParser.SampleFix(), NmeaTalker.GN));

        Assert.Equal(["GNVTG", "87.46", "T", "", "M", "19.438", "N", "36.000", "K", "A"], f);
    }

    [Fact]
    public void Gsa_NineSatellites_HasTwelvePrnFieldsAndDops()
    {
        var f = NmeaTestParser.Fields(NmeaWriter.Gsa(NmeaTestParser.SampleFix()));

        Assert.Equal(18, f.Length);
        Assert.Equal(["GPGSA", "A", "3", "01", "02", "03", "04", "05", "06", "07", "08", "09", "", "", "", "1.53", "0.90", "1.26"], f);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(4, 1)]
    [InlineData(9, 3)]
    [InlineData(12, 3)]
    public void Gsv_SatellitesInView_FourPerSentenceWithCorrectCounts(int satellites, int expectedSentences)
    {
        var sentences = NmeaWriter.Gsv(NmeaTestParser.SampleFix(satellites: satellites));

        Assert.Equal(expectedSentences, sentences.Count);
        var seen = 0;
        for (var i = 0; i < sentences.Count; i++)
        {
            var f = NmeaTestParser.Fields(sentences[i]);
            Assert.Equal("GPGSV", f[0]);
            Assert.Equal(expectedSentences.ToString(CultureInfo.InvariantCulture), f[1]);
            Assert.Equal((i + 1).ToString(CultureInfo.InvariantCulture), f[2]);
            Assert.Equal(satellites.ToString("00", CultureInfo.InvariantCulture), f[3]);
            Assert.Equal(0, (f.Length - 4) % 4);
            seen += (f.Length - 4) / 4;
        }

        Assert.Equal(satellites, seen);
    }

    [Fact]
    public void Gsv_UntrackedSatellite_HasEmptySnr()
    {
        var f = NmeaTestParser.Fields(NmeaWriter.Gsv(NmeaTestParser.SampleFix(satellites: 4))[0]);

        // Satellite 3 has SNR 0 = not tracked: PRN, elevation, azimuth, empty.
        Assert.Equal(["03", "13", "090", ""], f[12..16]);
    }

    [Theory]
    [InlineData(51.7956, "5147.7360,N")]
    [InlineData(-33.5, "3330.0000,S")]
    [InlineData(0.0, "0000.0000,N")]
    [InlineData(52.99999999, "5300.0000,N")]   // rounding carries into the degrees
    public void Latitude_Degrees_FormatsDdmmMmmm(double degrees, string expected) =>
        Assert.Equal(expected, NmeaWriter.Latitude(degrees));

    [Theory]
    [InlineData(-0.0788, "00004.7280,W")]
    [InlineData(-0.46590, "00027.9540,W")]
    [InlineData(151.25, "15115.0000,E")]
    public void Longitude_Degrees_FormatsDddmmMmmm(double degrees, string expected) =>
        Assert.Equal(expected, NmeaWriter.Longitude(degrees));

    [Fact]
    public void Epoch_UnderGermanCulture_UsesDecimalPoints()
    {
        var before = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = new CultureInfo("de-DE");
        try
        {
            var sentences = NmeaWriter.Epoch(NmeaTestParser.SampleFix());

            Assert.Equal(7, sentences.Count);   // RMC, VTG, GGA, GSA and 3 GSV
            Assert.All(sentences, s => NmeaTestParser.Fields(s));
            Assert.DoesNotContain(sentences, s => s.Contains("0,90", StringComparison.Ordinal));
            Assert.Contains(sentences, s => s.Contains(",0.90,", StringComparison.Ordinal));
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }

    [Fact]
    public void Epoch_GnTalker_UsesGnExceptForGsv()
    {
        var sentences = NmeaWriter.Epoch(NmeaTestParser.SampleFix(), NmeaTalker.GN);

        Assert.All(sentences.Take(4), s => Assert.StartsWith("$GN", s));
        Assert.All(sentences.Skip(4), s => Assert.StartsWith("$GPGSV", s));
    }

    [Fact]
    public void Epoch_NoFix_SendsStatusVQualityZeroAndEmptyPositionWithRightFieldCounts()
    {
        var fix = NmeaTestParser.SampleFix() with { Quality = 0, SatellitesUsed = [], Hdop = 99.99, Pdop = 99.99, Vdop = 99.99 };

        var rmc = NmeaTestParser.Fields(NmeaWriter.Rmc(fix));
        var vtg = NmeaTestParser.Fields(NmeaWriter.Vtg(fix));
        var gga = NmeaTestParser.Fields(NmeaWriter.Gga(fix));
        var gsa = NmeaTestParser.Fields(NmeaWriter.Gsa(fix));

        Assert.Equal(["GPRMC", "180509.25", "V", "", "", "", "", "", "", "231126", "", "", "N"], rmc);
        Assert.Equal(["GPVTG", "", "T", "", "M", "", "N", "", "K", "N"], vtg);
        Assert.Equal(["GPGGA", "180509.25", "", "", "", "", "0", "00", "99.99", "", "", "", "", "", ""], gga);
        Assert.Equal("1", gsa[2]);
        Assert.Equal(18, gsa.Length);
    }
}
