using System.Text;
using System.Text.Json;
using EdgeGateway.Devices.Modem;
using EdgeGateway.Testing;

namespace EdgeGateway.Tests.Devices.Modem;

public sealed class AtDecodeCommandTests
{
    private static async Task<(int Code, List<JsonElement> Lines)> DecodeAsync(string path)
    {
        var output = new StringWriter();
        var code = await AtDecodeCommand.RunAsync([path], output, new StringWriter(), TestContext.Current.CancellationToken);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        return (code, lines);
    }

    private static async Task<List<JsonElement>> DecodeTextAsync(string text)
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "capture.dump");
        await File.WriteAllBytesAsync(path, Encoding.Latin1.GetBytes(text), TestContext.Current.CancellationToken);
        var (code, lines) = await DecodeAsync(path);
        Assert.Equal(0, code);
        return lines;
    }

    private static JsonElement Reg(List<JsonElement> lines) => lines.Single(l => l.TryGetProperty("stat", out _) || l.TryGetProperty("invalid", out _));

    [Theory]
    [MemberData(nameof(AtCaptures.Names), MemberType = typeof(AtCaptures))]
    public async Task Decode_EveryRealCapture_ExitsZero_OneObjectPerLine(string name)
    {
        var path = Path.Combine(AtCaptures.Directory, name);
        var (code, lines) = await DecodeAsync(path);

        Assert.Equal(0, code);
        var expected = File.ReadAllText(path, Encoding.Latin1).Split(['\r', '\n']).Count(l => !string.IsNullOrWhiteSpace(l));
        Assert.Equal(expected, lines.Count);
        Assert.All(lines, l => Assert.Contains(l.GetProperty("kind").GetString(), new[] { "final", "info", "unsolicited", "echo", "invalid" }));
    }

    [Fact]
    public async Task Decode_SierraCreg_QuotedHexFieldsAsIntegers()
    {
        var (_, lines) = await DecodeAsync(Path.Combine(AtCaptures.Directory, "gammu/at-creg/sierra312u.dump"));

        Assert.Equal(["echo", "info", "final"], lines.Select(l => l.GetProperty("kind").GetString()));
        Assert.All(lines, l => Assert.Equal("CREG", l.GetProperty("command").GetString()));
        var reg = lines[1];
        Assert.Equal(5, reg.GetProperty("stat").GetInt32());
        Assert.Equal(0x2AF5, reg.GetProperty("lac").GetInt64());
        Assert.Equal(0x0B88E350, reg.GetProperty("ci").GetInt64());
        Assert.Equal(2, reg.GetProperty("act").GetInt32());
    }

    [Fact]
    public async Task Decode_NoRegistration_StatOnly()
    {
        var (_, lines) = await DecodeAsync(Path.Combine(AtCaptures.Directory, "gammu/at-creg/none.dump"));

        var reg = Reg(lines);
        Assert.Equal(0, reg.GetProperty("stat").GetInt32());
        Assert.False(reg.TryGetProperty("lac", out _));
        Assert.False(reg.TryGetProperty("ci", out _));
        Assert.False(reg.TryGetProperty("act", out _));
    }

    [Theory]
    [InlineData("gammu/at-creg-corner/empty-lac.dump", 0x605F)]
    [InlineData("gammu/at-creg-corner/single-quote.dump", null)]
    [InlineData("gammu/at-creg-corner/mismatched-quotes.dump", null)]
    public async Task Decode_MalformedCreg_StatKept_BrokenLacReportedInvalid(string name, int? ci)
    {
        var (code, lines) = await DecodeAsync(Path.Combine(AtCaptures.Directory, name));

        Assert.Equal(0, code);
        var reg = Reg(lines);
        Assert.Equal("info", reg.GetProperty("kind").GetString());
        Assert.Equal(1, reg.GetProperty("stat").GetInt32());
        Assert.False(reg.TryGetProperty("lac", out _));
        Assert.Contains("lac", reg.GetProperty("invalid").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(ci, reg.TryGetProperty("ci", out var c) ? c.GetInt32() : null);
        Assert.Equal("final", lines[^1].GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Decode_UnquotedHuaweiHex_AndSiemensWithoutMode()
    {
        var lines = await DecodeTextAsync("AT+CREG?\r\n+CREG: 2,1,4CA,81DE445\r\nOK\r\nAT+CREG?\n+CREG: 0,1,\"5E25\",\"605F\",2\nOK\n");

        var regs = lines.Where(l => l.TryGetProperty("stat", out _)).ToList();
        Assert.Equal(0x4CA, regs[0].GetProperty("lac").GetInt64());
        Assert.Equal(0x81DE445, regs[0].GetProperty("ci").GetInt64());
        Assert.Equal(1, regs[1].GetProperty("stat").GetInt32());
        Assert.Equal(0x5E25, regs[1].GetProperty("lac").GetInt64());
        Assert.Equal(2, regs[1].GetProperty("act").GetInt32());
    }

    [Fact]
    public async Task Decode_UnsolicitedInsideResponse_AndUrcForms()
    {
        var lines = await DecodeTextAsync(
            "AT+COPS?\r\n+CEREG: 1,\"00C3\",\"0101ABCD\",7\r\n+COPS: 0,0,\"EE\",7\r\nOK\r\n+CGREG: 5,\"1A2B\",\"00003C4D\"\r\n+CEREG: 0\r\n");

        Assert.Equal(["echo", "unsolicited", "info", "final", "unsolicited", "unsolicited"], lines.Select(l => l.GetProperty("kind").GetString()));
        Assert.Equal("COPS", lines[3].GetProperty("command").GetString());
        Assert.Equal(1, lines[1].GetProperty("stat").GetInt32());
        Assert.Equal(0xC3, lines[1].GetProperty("lac").GetInt64());
        Assert.Equal(0x0101ABCD, lines[1].GetProperty("ci").GetInt64());
        Assert.Equal(7, lines[1].GetProperty("act").GetInt32());
        Assert.Equal(5, lines[4].GetProperty("stat").GetInt32());
        Assert.Equal(0x1A2B, lines[4].GetProperty("lac").GetInt64());
        Assert.Equal(0, lines[5].GetProperty("stat").GetInt32());
    }

    [Fact]
    public async Task Decode_ErrorsPromptAndGarbage_EveryLineReported()
    {
        var lines = await DecodeTextAsync("AT+CMGS=1234,96\r\n> 0A0B\u001a\r\n+CME ERROR: 30\r\n\u0000\u0001\u0002\r\nAT+CSQ\r\n+CSQ: 99,99\r\nOK\r\n");

        Assert.Equal("echo", lines[0].GetProperty("kind").GetString());
        Assert.Contains(lines, l => l.GetProperty("kind").GetString() == "final" && l.GetProperty("line").GetString() == "+CME ERROR: 30");
        Assert.Contains(lines, l => l.GetProperty("kind").GetString() == "invalid");
        Assert.Equal("CSQ", lines[^1].GetProperty("command").GetString());
    }

    [Fact]
    public async Task Decode_BinaryFile_ExitsZero()
    {
        var random = new Random(3);
        var bytes = new byte[20_000];
        random.NextBytes(bytes);
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "noise.bin");
        await File.WriteAllBytesAsync(path, bytes, TestContext.Current.CancellationToken);

        var (code, _) = await DecodeAsync(path);

        Assert.Equal(0, code);
    }

    [Fact]
    public async Task Decode_MissingFile_ExitsOneWithMessage()
    {
        var error = new StringWriter();

        var code = await AtDecodeCommand.RunAsync(["/nonexistent/capture.dump"], new StringWriter(), error, TestContext.Current.CancellationToken);

        Assert.Equal(1, code);
        Assert.Contains("cannot read", error.ToString());
    }
}
