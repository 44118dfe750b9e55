using EdgeGateway.Contracts.V1;
using EdgeGateway.Devices.Gnss;
using EdgeGateway.Devices.Gnss.Nmea;

namespace EdgeGateway.Tests.Devices.Gnss;

public sealed class GnssFixMergerTests
{
    private static List<GnssFix> Decode(params string[] bodies) =>
        NmeaFeed.Fixes(NmeaText.Bytes(string.Concat(bodies.Select(NmeaText.Line))), 4096, new NmeaReaderCounters());

    [Fact]
    public void Accept_RmcGgaGsaVtgOfOneCycle_MergedIntoOneFix()
    {
        var fixes = Decode(
            "GPRMC,123519.50,A,4807.038,N,01131.000,W,022.4,084.4,230394,003.1,W",
            "GPGGA,123519.50,4807.038,N,01131.000,W,1,08,0.9,545.4,M,46.9,M,,",
            "GPGSA,A,3,04,05,,09,12,,,24,,,,,2.5,1.3,2.1",
            "GPVTG,090.0,T,,M,010.0,N,018.5,K,A");

        var fix = Assert.Single(fixes);
        Assert.Equal(new DateTimeOffset(1994, 3, 23, 12, 35, 19, 500, TimeSpan.Zero), fix.Time);
        Assert.Equal(FixMode._3D, fix.Mode);
        Assert.Equal(48.1173, fix.Latitude!.Value, 6);
        Assert.Equal(-11.516666667, fix.Longitude!.Value, 6);
        Assert.Equal(545.4, fix.AltitudeMsl);
        Assert.Equal(90.0, fix.TrackDegrees); // VTG came last in the cycle
        Assert.Equal(10.0 * 1852 / 3600, fix.SpeedMps!.Value, 9);
        Assert.Equal(5, fix.SatellitesUsed);
        Assert.Equal(2.5, fix.Pdop);
        Assert.Equal(1.3, fix.Hdop);
        Assert.Equal(2.1, fix.Vdop);
    }

    [Fact]
    public void Accept_NewTimestamp_CompletesPreviousCycle()
    {
        var fixes = Decode(
            "GPGGA,000001,5130.000,N,00007.500,W,1,08,0.9,10,M,46.9,M,,",
            "GPGGA,000002,5130.001,N,00007.500,W,1,08,0.9,10,M,46.9,M,,");

        Assert.Equal(2, fixes.Count);
        Assert.Null(fixes[0].Time); // no date seen yet (no RMC/ZDA), like gpsd
        Assert.Equal(FixMode._3D, fixes[0].Mode);
    }

    [Fact]
    public void Accept_ZdaThenGgaAfterMidnight_DateAdvances()
    {
        var fixes = Decode(
            "GPZDA,235959.00,31,12,2025,00,00",
            "GPGGA,235959.00,5130.000,N,00007.500,W,1,08,0.9,10,M,46.9,M,,",
            "GPGGA,000000.00,5130.000,N,00007.500,W,1,08,0.9,10,M,46.9,M,,");

        Assert.Equal(new DateTimeOffset(2025, 12, 31, 23, 59, 59, TimeSpan.Zero), fixes[0].Time);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), fixes[1].Time);
    }

    [Fact]
    public void Accept_GllValid_PositionAnd2D()
    {
        var fix = Assert.Single(Decode(
            "GPRMC,120001,V,,,,,,,010120,,,N",
            "GPGLL,4916.45,N,12311.12,W,120001,A,A"));

        Assert.Equal(FixMode._2D, fix.Mode);
        Assert.Equal(49.274166667, fix.Latitude!.Value, 6);
        Assert.Equal(-123.185333333, fix.Longitude!.Value, 6);
    }

    [Fact]
    public void Accept_GnsWithAltitude_3D()
    {
        var fix = Assert.Single(Decode("GNGNS,224749.00,3333.4268304,N,11153.3538273,W,DD,19,0.6,406.110,-26.294,6.0,0138,S"));

        Assert.Equal(FixMode._3D, fix.Mode);
        Assert.Equal(406.110, fix.AltitudeMsl);
    }

    [Fact]
    public void Accept_RmcVoid_NoFixWithoutPosition()
    {
        var fix = Assert.Single(Decode("GPRMC,001902.00,V,,,,,,,020211,,,N"));

        Assert.Equal(FixMode.NoFix, fix.Mode);
        Assert.False(fix.HasPosition);
    }

    [Fact]
    public void Accept_GgaWithTooFewSatellites_NoFix()
    {
        var fix = Assert.Single(Decode("GPGGA,095304.802,2712.6520,S,15303.1397,E,1,00,17.0,3.0,M,42.2,M,,"));

        Assert.Equal(FixMode.NoFix, fix.Mode);
    }

    [Fact]
    public void Accept_GsaOfSeveralConstellations_SatellitesAddUp()
    {
        var fix = Assert.Single(Decode(
            "GNGGA,135651.997,5543.0328,N,03724.7198,E,1,06,01.8,165.6,M,14.6,M,,",
            "GNGSA,A,3,19,27,,,,,,,,,,,02.1,01.8,00.9",
            "GNGSA,A,3,67,84,83,75,,,,,,,,,02.1,01.8,00.9"));

        Assert.Equal(6, fix.SatellitesUsed);
    }

    [Fact]
    public void Accept_GsvSetsOfTwoConstellations_InViewCountsAdd()
    {
        var fix = Assert.Single(Decode(
            "GPGGA,172814.0,3723.46587704,N,12202.26957864,W,2,6,1.2,18.893,M,-25.669,M,2.0,0031",
            "GPGSV,2,1,08,01,40,083,46,02,17,308,41,12,07,344,39,14,22,228,45",
            "GPGSV,2,2,08,15,40,083,46,16,17,308,41,17,07,344,39,18,22,228,45",
            "GLGSV,1,1,03,65,40,083,46,66,17,308,41,67,07,344,39"));

        Assert.Equal(11, fix.SatellitesVisible);
    }

    [Fact]
    public void Accept_WeekRolloverDateWithReference_MovedForward1024Weeks()
    {
        var merger = new GnssFixMerger(new DateOnly(2026, 11, 23));
        var fixes = new List<GnssFix>();
        NmeaFeed.Run(NmeaText.Bytes(NmeaText.Line("GPRMC,120000,A,5130.000,N,00007.500,W,,,080407,,,A")), 1, new NmeaReaderCounters(), (in NmeaSentence s) => merger.Accept(s, out _));
        Assert.True(merger.TryFlush(out var fix));

        Assert.Equal(new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero), fix.Time); // 2007-04-08 + 1024 weeks
        Assert.Equal(1, merger.RolloverCorrections);
        Assert.Empty(fixes);
    }

    [Fact]
    public void Accept_RecentDateWithReference_Unchanged()
    {
        var merger = new GnssFixMerger(new DateOnly(2026, 11, 23));
        NmeaFeed.Run(NmeaText.Bytes(NmeaText.Line("GPRMC,120000,A,5130.000,N,00007.500,W,,,010120,,,A")), 1, new NmeaReaderCounters(), (in NmeaSentence s) => merger.Accept(s, out _));
        Assert.True(merger.TryFlush(out var fix));

        Assert.Equal(new DateTimeOffset(2020, 1, 1, 12, 0, 0, TimeSpan.Zero), fix.Time);
        Assert.Equal(0, merger.RolloverCorrections);
    }

    [Theory]
    [InlineData("# Date: 2007-12-10\n$GPGGA", true, 2007)]
    [InlineData("# Name: x\r\n# Date: 2020-06-29 \r\n", true, 2020)]
    [InlineData("# Date = 2015-03-18\n", false, 0)]
    [InlineData("$GPGGA,1*00\n", false, 0)]
    public void TryReadHeaderDate_Capture_ReadsGpsdDateComment(string text, bool found, int year)
    {
        Assert.Equal(found, NmeaCaptureDecoder.TryReadHeaderDate(NmeaText.Bytes(text), out var date));
        Assert.Equal(year, found ? date.Year : 0);
    }

    [Fact]
    public void Accept_TooShortSentence_IgnoredAndCounted()
    {
        var merger = new GnssFixMerger();
        var text = NmeaText.Line("GPGGA,120000,5130.000,N,00007.500,W,1,08,0.9,10,M,46.9,M,,") + NmeaText.Line("GPRMC,,V");
        NmeaFeed.Run(NmeaText.Bytes(text), 1, new NmeaReaderCounters(), (in NmeaSentence s) => merger.Accept(s, out _));
        Assert.True(merger.TryFlush(out var fix));

        Assert.Equal(FixMode._3D, fix.Mode);
        Assert.Equal(1, merger.InvalidFields);
    }

    [Fact]
    public void Accept_CycleWithoutSpeed_DerivesSpeedFromPreviousFix()
    {
        var fixes = Decode(
            "GPRMC,120000,A,5130.000,N,00007.500,W,,,010120,,,A",
            "GPGGA,120000,5130.000,N,00007.500,W,1,08,0.9,10,M,46.9,M,,",
            "GPGGA,120001,5130.010,N,00007.500,W,1,08,0.9,10,M,46.9,M,,");

        Assert.True(fixes[1].SpeedDerived);
        Assert.Equal(18.53, fixes[1].SpeedMps!.Value, 1); // 0.01 minute of latitude in 1 s
    }

    [Fact]
    public void Accept_BadFieldsWithValidChecksum_CountedNotThrown()
    {
        var merger = new GnssFixMerger();
        NmeaFeed.Run(NmeaText.Bytes(NmeaText.Line("GPRMC,120000,A,51x0.000,N,00007.500,W,,,010120,,,A") + NmeaText.Line("GPZDA,1,2,3,4,5,6")), 1, new NmeaReaderCounters(), (in NmeaSentence s) => merger.Accept(s, out _));

        Assert.Equal(2, merger.InvalidFields);
    }
}
