using System.Buffers;
using System.Text;
using EdgeGateway.Devices.Modem;

namespace EdgeGateway.Tests.Devices.Modem;

public sealed class AtReaderTests
{
    private static List<(string Text, AtRejectReason Reject, bool Prompt)> ReadAll(byte[] bytes, AtReader reader, int chunk = int.MaxValue, bool final = true)
    {
        var lines = new List<(string, AtRejectReason, bool)>();
        var pending = Array.Empty<byte>();
        for (var offset = 0; offset < bytes.Length; offset += chunk)
        {
            var piece = bytes.AsSpan(offset, Math.Min(chunk, bytes.Length - offset));
            var data = pending.Concat(piece.ToArray()).ToArray();
            var buffer = new ReadOnlySequence<byte>(data);
            var last = final && offset + chunk >= bytes.Length;
            while (reader.TryRead(ref buffer, last, out var line))
            {
                lines.Add((line.ToText(), line.Reject, line.IsPrompt));
            }

            pending = buffer.ToArray();
        }

        return lines;
    }

    [Fact]
    public void TryRead_MixedLineEnds_OneLineEach_BlankLinesSkipped()
    {
        var bytes = Encoding.ASCII.GetBytes("AT+CREG?\r\r\n+CREG: 2,1\n\r\n  \r\nOK\r\n");

        var lines = ReadAll(bytes, new AtReader(new AtReaderCounters()));

        Assert.Equal(["AT+CREG?", "+CREG: 2,1", "OK"], lines.Select(l => l.Text));
    }

    [Fact]
    public void TryRead_ByteByByte_SameLinesAsWhole()
    {
        var bytes = Encoding.ASCII.GetBytes("AT+CSQ\r\r\n+CSQ: 20,99\r\n\r\nOK\r\n+CEREG: 1,\"00C3\",\"0101ABCD\",7\r\n");

        var whole = ReadAll(bytes, new AtReader(new AtReaderCounters()));
        var split = ReadAll(bytes, new AtReader(new AtReaderCounters()), chunk: 1);

        Assert.Equal(whole, split);
        Assert.Equal(4, whole.Count);
    }

    [Fact]
    public void TryRead_PartialLine_WaitsForMoreUnlessFinal()
    {
        var reader = new AtReader(new AtReaderCounters());
        var buffer = new ReadOnlySequence<byte>("+CSQ: 1"u8.ToArray());

        Assert.False(reader.TryRead(ref buffer, out _));
        Assert.Equal(7, buffer.Length);
        Assert.True(reader.TryRead(ref buffer, isFinalBlock: true, out var line));
        Assert.Equal("+CSQ: 1", line.ToText());
    }

    [Fact]
    public void TryRead_ControlBytes_RejectedCountedAndNextLineRead()
    {
        var counters = new AtReaderCounters();
        var bytes = Encoding.Latin1.GetBytes("\0\0\u0007junk\r\nOK\r\n");

        var lines = ReadAll(bytes, new AtReader(counters));

        Assert.Equal(AtRejectReason.ControlCharacter, lines[0].Reject);
        Assert.Equal(("OK", AtRejectReason.None, false), lines[1]);
        Assert.Equal(1, counters.Rejected(AtRejectReason.ControlCharacter));
        Assert.Equal(1, counters.Lines);
    }

    [Fact]
    public void TryRead_Overlong_ReturnedTruncatedThenResyncsAtLineEnd()
    {
        var counters = new AtReaderCounters();
        var bytes = Encoding.ASCII.GetBytes(new string('A', AtReader.MaxLineLength * 3) + "\r\nOK\r\n");

        var lines = ReadAll(bytes, new AtReader(counters), chunk: 1000);

        Assert.Equal(2, lines.Count);
        Assert.Equal(AtRejectReason.Overlong, lines[0].Reject);
        Assert.Equal(AtReader.MaxLineLength, lines[0].Text.Length);
        Assert.Equal("OK", lines[1].Text);
        Assert.Equal(1, counters.Rejected(AtRejectReason.Overlong));
    }

    [Fact]
    public void TryRead_PromptOnlyWhenExpected()
    {
        var reader = new AtReader(new AtReaderCounters()) { ExpectPrompt = true };
        var buffer = new ReadOnlySequence<byte>("\r\n> "u8.ToArray());

        Assert.True(reader.TryRead(ref buffer, out var prompt));
        Assert.True(prompt.IsPrompt);
        Assert.False(reader.ExpectPrompt);
        Assert.False(reader.TryRead(ref buffer, out _));
        Assert.True(buffer.IsEmpty);

        var later = new ReadOnlySequence<byte>("> quoted\r\n"u8.ToArray());
        Assert.True(reader.TryRead(ref later, out var text));
        Assert.False(text.IsPrompt);
        Assert.Equal("> quoted", text.ToText());
    }

    [Theory]
    [MemberData(nameof(AtCaptures.Names), MemberType = typeof(AtCaptures))]
    public void TryRead_EveryRealCapture_ReadsWithoutRejects(string name)
    {
        var counters = new AtReaderCounters();
        var bytes = File.ReadAllBytes(Path.Combine(AtCaptures.Directory, name));

        var whole = ReadAll(bytes, new AtReader(counters));
        var split = ReadAll(bytes, new AtReader(new AtReaderCounters()), chunk: 3);

        Assert.NotEmpty(whole);
        Assert.Equal(whole, split);
        Assert.Equal(0, counters.RejectedTotal);
    }
}
