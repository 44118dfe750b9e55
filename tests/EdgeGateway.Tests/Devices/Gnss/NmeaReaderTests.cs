using System.Buffers;
using System.Text;
using EdgeGateway.Devices.Gnss.Nmea;

namespace EdgeGateway.Tests.Devices.Gnss;

public sealed class NmeaReaderTests
{
    private const string Gga = "GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,";

    [Fact]
    public void TryRead_ValidChecksum_ReturnsSentenceWithFields()
    {
        var counters = new NmeaReaderCounters();
        var reader = new NmeaReader(counters);
        var buffer = new ReadOnlySequence<byte>(NmeaText.Bytes("$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47\r\n"));

        Assert.True(reader.TryRead(ref buffer, out var sentence));

        Assert.Equal(NmeaSentenceType.Gga, sentence.Type);
        Assert.Equal("GP", Encoding.ASCII.GetString(sentence.Talker));
        Assert.Equal("4807.038", Encoding.ASCII.GetString(sentence[2]));
        Assert.Equal("", Encoding.ASCII.GetString(sentence[14]));
        Assert.Equal(15, sentence.FieldCount);
        Assert.Equal("\r\n", Encoding.ASCII.GetString(buffer.ToArray()));
        Assert.Equal(1, counters.Accepted);
    }

    [Theory]
    [InlineData("*47", true)]
    [InlineData("*46", false)]
    [InlineData("*4g", false)]
    [InlineData("*4", false)]
    public void TryRead_Checksum_VerifiedAsXorBetweenDollarAndStar(string checksum, bool accepted)
    {
        var counters = new NmeaReaderCounters();

        var sentences = NmeaFeed.Sentences(NmeaText.Bytes($"${Gga}{checksum}\r\n"), 1024, counters);

        Assert.Equal(accepted ? 1 : 0, sentences.Count);
        Assert.Equal(accepted ? 0 : 1, counters.Rejected(NmeaRejectReason.BadChecksum) + counters.Rejected(NmeaRejectReason.Malformed));
    }

    [Fact]
    public void TryRead_LowercaseChecksumDigits_Accepted()
    {
        var line = NmeaText.WithChecksum("GPVTG,054.7,T,034.4,M,005.5,N,010.2,K,N"); // checksum 2A: has a hex letter
        var lower = line[..^2] + line[^2..].ToLowerInvariant() + "\r\n";
        Assert.NotEqual(line + "\r\n", lower);

        Assert.Single(NmeaFeed.Sentences(NmeaText.Bytes(lower), 1024, new NmeaReaderCounters()));
    }

    [Theory]
    [InlineData("GGA", "Gga")]
    [InlineData("RMC", "Rmc")]
    [InlineData("GLL", "Gll")]
    [InlineData("VTG", "Vtg")]
    [InlineData("GSA", "Gsa")]
    [InlineData("GSV", "Gsv")]
    [InlineData("ZDA", "Zda")]
    [InlineData("GNS", "Gns")]
    public void TryRead_EachSentenceTypeForEveryTalker_Recognised(string formatter, string type)
    {
        var expected = Enum.Parse<NmeaSentenceType>(type);
        foreach (var talker in new[] { "GP", "GL", "GA", "GB", "BD", "GQ", "GN" })
        {
            var reader = new NmeaReader(new NmeaReaderCounters());
            var buffer = new ReadOnlySequence<byte>(NmeaText.Bytes(NmeaText.Line($"{talker}{formatter},1,2,3")));

            Assert.True(reader.TryRead(ref buffer, out var sentence), talker + formatter);
            Assert.Equal(expected, sentence.Type);
            Assert.Equal(talker, Encoding.ASCII.GetString(sentence.Talker));
        }
    }

    [Fact]
    public void TryRead_GarbageBeforeDollar_DroppedAndCountedOnce()
    {
        var counters = new NmeaReaderCounters();
        var data = NmeaText.Bytes("\0\xff noise GPGGA,1" + NmeaText.Line(Gga));

        foreach (var chunk in new[] { 1, 3, data.Length })
        {
            counters = new NmeaReaderCounters();
            var sentences = NmeaFeed.Sentences(data, chunk, counters);

            Assert.Equal([Gga], sentences);
            Assert.Equal(1, counters.Rejected(NmeaRejectReason.Garbage));
        }
    }

    [Fact]
    public void TryRead_LineEndsOnly_NotCountedAsGarbage()
    {
        var counters = new NmeaReaderCounters();

        NmeaFeed.Sentences(NmeaText.Bytes("\r\n\r\n" + NmeaText.Line(Gga) + "\n\n"), 1, counters);

        Assert.Equal(0, counters.Rejected(NmeaRejectReason.Garbage));
    }

    [Fact]
    public void TryRead_OverlongLine_RejectedThenResyncs()
    {
        var counters = new NmeaReaderCounters();
        var overlong = "$GPGGA," + new string('1', NmeaReader.MaxSentenceLength + 50) + "\r\n";

        foreach (var chunk in new[] { 1, 7, 4096 })
        {
            counters = new NmeaReaderCounters();
            var sentences = NmeaFeed.Sentences(NmeaText.Bytes(overlong + NmeaText.Line(Gga)), chunk, counters);

            Assert.Equal([Gga], sentences);
            Assert.Equal(1, counters.Rejected(NmeaRejectReason.Overlong));
            Assert.Equal(0, counters.Rejected(NmeaRejectReason.Garbage));
        }
    }

    [Fact]
    public void TryRead_LongButLegalLine_Accepted()
    {
        // Real receivers exceed 82 characters; 200 is still within our cap.
        var body = "GNGSV,1,1,04," + string.Join(',', Enumerable.Repeat("01,40,083,46", 14));
        Assert.True(body.Length > 82 && body.Length < NmeaReader.MaxSentenceLength - 5);

        Assert.Single(NmeaFeed.Sentences(NmeaText.Bytes(NmeaText.Line(body)), 1, new NmeaReaderCounters()));
    }

    [Fact]
    public void TryRead_BadAndMissingChecksums_CountedAndNextSentenceRead()
    {
        var counters = new NmeaReaderCounters();
        var text = $"${Gga}*00\r\n${Gga}\r\n" + NmeaText.Line(Gga);

        var sentences = NmeaFeed.Sentences(NmeaText.Bytes(text), 1, counters);

        Assert.Equal([Gga], sentences);
        Assert.Equal(1, counters.Rejected(NmeaRejectReason.BadChecksum));
        Assert.Equal(1, counters.Rejected(NmeaRejectReason.MissingChecksum));
    }

    [Fact]
    public void TryRead_TruncatedLineFollowedByNewSentence_KeepsTheNewOne()
    {
        var counters = new NmeaReaderCounters();

        var sentences = NmeaFeed.Sentences(NmeaText.Bytes("$GPGGA,1235" + NmeaText.Line(Gga)), 1, counters);

        Assert.Equal([Gga], sentences);
        Assert.Equal(1, counters.Rejected(NmeaRejectReason.Malformed));
    }

    [Fact]
    public void TryRead_DoubleDollar_TreatedAsOne()
    {
        var counters = new NmeaReaderCounters();

        Assert.Equal([Gga], NmeaFeed.Sentences(NmeaText.Bytes("$" + NmeaText.Line(Gga)), 1, counters));
        Assert.Equal(0, counters.Rejected(NmeaRejectReason.Malformed));
    }

    [Fact]
    public void TryRead_ProprietaryAndUnknown_SkippedAndCountedNotErrors()
    {
        var counters = new NmeaReaderCounters();
        var text = NmeaText.Line("PMTK001,604,3") + NmeaText.Line("GPGST,001901.00,0.0,,,,1,1,1") + NmeaText.Line(Gga);

        var sentences = NmeaFeed.Sentences(NmeaText.Bytes(text), 1, counters);

        Assert.Equal([Gga], sentences);
        Assert.Equal(1, counters.Rejected(NmeaRejectReason.Proprietary));
        Assert.Equal(1, counters.Rejected(NmeaRejectReason.Unsupported));
        Assert.Equal(0, counters.Rejected(NmeaRejectReason.BadChecksum) + counters.Rejected(NmeaRejectReason.Malformed));
    }

    [Fact]
    public void TryRead_PartialLine_NeedsMoreAndKeepsBytes()
    {
        var reader = new NmeaReader(new NmeaReaderCounters());
        var buffer = new ReadOnlySequence<byte>(NmeaText.Bytes("xx$GPGGA,12"));

        Assert.False(reader.TryRead(ref buffer, out _));

        Assert.Equal("$GPGGA,12", Encoding.ASCII.GetString(buffer.ToArray()));
    }

    [Fact]
    public void TryRead_SplitAtEveryPositionAcrossSegments_SameSentence()
    {
        var bytes = NmeaText.Bytes(NmeaText.Line(Gga));
        for (var split = 0; split <= bytes.Length; split++)
        {
            var buffer = TwoSegments(bytes, split);
            var reader = new NmeaReader(new NmeaReaderCounters());

            Assert.True(reader.TryRead(ref buffer, out var sentence), $"split {split}");
            Assert.Equal(Gga, Encoding.ASCII.GetString(sentence.Body));
        }
    }

    [Fact]
    public void TryRead_RandomBytes_NeverThrowsAndAlwaysProgresses()
    {
        var random = new Random(20261123);
        var alphabet = NmeaText.Bytes("$*,.0123456789ABCDEFGPNSWE\r\n");
        var counters = new NmeaReaderCounters();
        for (var round = 0; round < 300; round++)
        {
            var data = new byte[random.Next(1, 2000)];
            for (var i = 0; i < data.Length; i++)
            {
                data[i] = random.Next(3) == 0 ? (byte)random.Next(256) : alphabet[random.Next(alphabet.Length)];
            }

            // Also splice in real sentences so the decoders see plausible-but-wrong fields.
            var valid = NmeaText.Bytes(NmeaText.Line("GPRMC,1,A,9," + random.Next() + ",,W,x,,,,"));
            var mixed = data.Concat(valid).Concat(data.Reverse()).ToArray();

            var fixes = NmeaFeed.Fixes(mixed, random.Next(1, 64), counters);

            Assert.NotNull(fixes);
        }

        Assert.True(counters.Rejected(NmeaRejectReason.Garbage) > 0);
    }

    private static ReadOnlySequence<byte> TwoSegments(byte[] bytes, int split)
    {
        var first = new Segment(bytes.AsMemory(0, split));
        var last = first.Append(bytes.AsMemory(split));
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
