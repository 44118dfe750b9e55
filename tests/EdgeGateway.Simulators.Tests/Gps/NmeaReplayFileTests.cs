using System.Buffers;
using System.Text;
using EdgeGateway.Simulators.Gps;

namespace EdgeGateway.Simulators.Tests.Gps;

public sealed class NmeaReplayFileTests
{
    [Fact]
    public void Parse_CommentsAndMixedLineEnds_SkipsCommentsAndKeepsOtherBytes()
    {
        // Includes a non-ASCII byte (0xB0) and a tab: replay must not "clean up" anything.
        var content = Encoding.Latin1.GetBytes("# header\r\n$GPGGA,1*00\r\n#x\n$GPRMC,junk \t\xB0*11\n\n$GPGSV,last");

        var file = NmeaReplayFile.Parse("t.log", content);

        Assert.Equal(
            ["$GPGGA,1*00\r\n", "$GPRMC,junk \t\xB0*11\n", "\n", "$GPGSV,last\r\n"],
            file.Lines.Select(l => Encoding.Latin1.GetString(l)));
        Assert.Equal("GGA", file.FixSentenceType);
    }

    public static TheoryData<string> GpsdCaptures =>
        new(Directory.GetFiles(Path.Combine(TestData.Directory, "nmea", "gpsd"), "*.log").Select(Path.GetFileName).Order()!);

    [Theory]
    [MemberData(nameof(GpsdCaptures))]
    public void Load_RealGpsdCapture_ReplaysEveryNonCommentByte(string name)
    {
        var path = Path.Combine(TestData.Directory, "nmea", "gpsd", name);
        var raw = File.ReadAllBytes(path);
        var file = NmeaReplayFile.Load(path);
        var source = new ReplaySentenceSource(file, loop: false);
        var output = new ArrayBufferWriter<byte>();

        var lines = 0;
        while (source.TryWriteNext(default, default, output, out _))
        {
            lines++;
        }

        // Independent of the splitter: every line except '#' ones, the last one terminated.
        var text = Encoding.Latin1.GetString(raw);
        var pieces = text.Split('\n');
        var expected = string.Concat(pieces.Select((l, i) => i < pieces.Length - 1 ? l + "\n" : l.Length > 0 ? l + "\r\n" : "")
            .Where(l => l.Length > 0 && l[0] != '#'));
        Assert.Equal(file.Lines.Count, lines);
        Assert.Equal(expected, Encoding.Latin1.GetString(output.WrittenSpan));
        Assert.DoesNotContain("# ", Encoding.Latin1.GetString(output.WrittenSpan), StringComparison.Ordinal);
    }

    [Fact]
    public void TryWriteNext_Looping_StartsAgainAndCountsFixes()
    {
        var file = NmeaReplayFile.Parse("t.log", "$GNRMC,a*00\r\n$GNGGA,b*00\r\n"u8);
        var source = new ReplaySentenceSource(file);
        var output = new ArrayBufferWriter<byte>();

        var fixes = 0;
        for (var i = 0; i < 5; i++)
        {
            Assert.True(source.TryWriteNext(default, default, output, out var unit));
            fixes += unit.Fixes;
        }

        Assert.Equal("$GNRMC,a*00\r\n$GNGGA,b*00\r\n$GNRMC,a*00\r\n$GNGGA,b*00\r\n$GNRMC,a*00\r\n", Encoding.ASCII.GetString(output.WrittenSpan));
        Assert.Equal(2, fixes);   // GGA present, so only GGA lines count as fixes
        Assert.Equal(2, source.Passes);
    }

    [Fact]
    public void TryWriteNext_NotLooping_StopsAtEnd()
    {
        var source = new ReplaySentenceSource(NmeaReplayFile.Parse("t.log", "$GPRMC,a*00\n"u8), loop: false);
        var output = new ArrayBufferWriter<byte>();

        Assert.True(source.TryWriteNext(default, default, output, out var unit));
        Assert.Equal(1, unit.Fixes);   // no GGA in the file: RMC counts
        Assert.False(source.TryWriteNext(default, default, output, out _));
    }
}
