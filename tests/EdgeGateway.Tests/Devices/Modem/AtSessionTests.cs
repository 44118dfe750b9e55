using System.IO.Pipelines;
using System.Text;
using EdgeGateway.Devices.Modem;
using EdgeGateway.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Tests.Devices.Modem;

/// <summary>The session over an in-process duplex pipe: the test plays the modem.</summary>
public sealed class AtSessionTests : IAsyncDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private readonly Pipe _fromModem = new();
    private readonly Pipe _toModem = new();
    private readonly FakeTimeProvider _time = new();
    private readonly AtSessionCounters _counters = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly AtSession _session;
    private readonly Task _loop;

    public AtSessionTests()
    {
        _session = new AtSession(new DeviceLink(_fromModem.Reader, _toModem.Writer.AsStream()), AtSessionOptions.Default, _counters, _time, NullLogger.Instance);
        _loop = _session.RunAsync(_stop.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _fromModem.Writer.CompleteAsync();
        await _loop.WaitAsync(Bound, TestContext.Current.CancellationToken);
        _stop.Dispose();
    }

    private async Task ModemSaysAsync(string text) =>
        await _fromModem.Writer.WriteAsync(Encoding.ASCII.GetBytes(text), TestContext.Current.CancellationToken);

    private async Task<string> HostSentAsync(string until)
    {
        var seen = new StringBuilder();
        while (!seen.ToString().Contains(until, StringComparison.Ordinal))
        {
            var result = await _toModem.Reader.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Bound, TestContext.Current.CancellationToken);
            foreach (var segment in result.Buffer)
            {
                seen.Append(Encoding.ASCII.GetString(segment.Span));
            }

            _toModem.Reader.AdvanceTo(result.Buffer.End);
        }

        return seen.ToString();
    }

    [Fact]
    public async Task Send_EchoOn_UrcInTheMiddle_InfoCollectedAndUrcDispatched()
    {
        var reply = _session.SendAsync("AT+CREG?", TestContext.Current.CancellationToken);
        Assert.Equal("AT+CREG?\r", await HostSentAsync("\r"));

        await ModemSaysAsync("AT+CREG?\r\r\n+CREG: 2,1,\"2AF5\",\"0B88E350\"\r\n+CEREG: 1,\"00C3\",\"0101ABCD\",7\r\n\r\nOK\r\n");

        var response = await reply.WaitAsync(Bound, TestContext.Current.CancellationToken);
        Assert.True(response.IsOk);
        Assert.Equal(["+CREG: 2,1,\"2AF5\",\"0B88E350\""], response.Lines);
        var urc = await _session.Unsolicited.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Bound, TestContext.Current.CancellationToken);
        Assert.Equal("CEREG", urc.Name);
    }

    [Fact]
    public async Task Send_EchoOff_CmeError_ReportedWithCode()
    {
        var reply = _session.SendAsync("AT+COPS?", TestContext.Current.CancellationToken);
        await HostSentAsync("\r");

        await ModemSaysAsync("\r\n+CME ERROR: 30\r\n");

        var response = await reply.WaitAsync(Bound, TestContext.Current.CancellationToken);
        Assert.Equal(AtFinalKind.CmeError, response.Final);
        Assert.Equal(30, response.ErrorCode);
        Assert.Equal(1, _counters.Errors);
    }

    [Fact]
    public async Task Send_NoFinal_TimesOutOnTheInjectedClock_LateFinalCounted()
    {
        var reply = _session.SendAsync("AT+CSQ", TestContext.Current.CancellationToken, TimeSpan.FromSeconds(3));
        await HostSentAsync("\r");

        _time.Advance(TimeSpan.FromSeconds(3));
        var response = await reply.WaitAsync(Bound, TestContext.Current.CancellationToken);
        Assert.Equal(AtFinalKind.Timeout, response.Final);

        await ModemSaysAsync("OK\r\n");

        // The late final is read (and counted) before the next command goes out; sent sooner, the late OK would be
        // taken as that command's answer, as on a real modem, and the assertions below would race the reader.
        await Eventually.TrueAsync(() => _counters.UnmatchedFinals == 1, because: "the late OK was read with no command waiting");
        var next = _session.SendAsync("AT", TestContext.Current.CancellationToken);
        await HostSentAsync("AT\r");
        await ModemSaysAsync("OK\r\n");
        Assert.True((await next.WaitAsync(Bound, TestContext.Current.CancellationToken)).IsOk);
        Assert.Equal(1, _counters.Timeouts);
        Assert.Equal(1, _counters.UnmatchedFinals);
    }

    [Fact]
    public async Task SendPdu_PromptThenCtrlZ_AndSdsUrcWithDataLine()
    {
        var reply = _session.SendPduAsync("AT+CMGS=2002,96", "0A1B2C", TestContext.Current.CancellationToken);
        await HostSentAsync("AT+CMGS=2002,96\r");

        await ModemSaysAsync("AT+CMGS=2002,96\r\r\n> ");
        Assert.Equal("0A1B2C\u001a", await HostSentAsync("\u001a"));
        await ModemSaysAsync("0A1B2C\u001a\r\n+CTSDSR: 13,2002,0,1001,0,16\r\n0000\r\n+CMGS: 2002,5,3,17\r\nOK\r\n");

        var response = await reply.WaitAsync(Bound, TestContext.Current.CancellationToken);
        Assert.True(response.IsOk);
        Assert.Equal(["+CMGS: 2002,5,3,17"], response.Lines);
        var urc = await _session.Unsolicited.ReadAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(Bound, TestContext.Current.CancellationToken);
        Assert.Equal(("CTSDSR", "+CTSDSR: 13,2002,0,1001,0,16", "0000"), (urc.Name, urc.Line, urc.Data));
    }

    [Fact]
    public async Task Garbage_NeverThrows_RejectedAndSessionStillWorks()
    {
        await ModemSaysAsync("\0\u0001\u0002\r\nOK\r\n" + new string('x', AtReader.MaxLineLength + 10) + "\r\n");

        // The overlong line comes last: once it is counted, the stray OK before it was read with no command waiting.
        await Eventually.TrueAsync(() => _counters.Reader.Rejected(AtRejectReason.Overlong) == 1, because: "the garbage is read");
        var reply = _session.SendAsync("AT", TestContext.Current.CancellationToken);
        await HostSentAsync("\r");
        await ModemSaysAsync("OK\r\n");

        Assert.True((await reply.WaitAsync(Bound, TestContext.Current.CancellationToken)).IsOk);
        Assert.Equal(1, _counters.Reader.Rejected(AtRejectReason.ControlCharacter));
        Assert.Equal(1, _counters.Reader.Rejected(AtRejectReason.Overlong));
        Assert.Equal(1, _counters.UnmatchedFinals);
    }

    [Fact]
    public async Task ConnectionEnds_PendingCommandCompletesClosed()
    {
        var reply = _session.SendAsync("AT+CGPADDR=1", TestContext.Current.CancellationToken);
        await HostSentAsync("\r");

        await _fromModem.Writer.CompleteAsync();

        Assert.Equal(AtFinalKind.Closed, (await reply.WaitAsync(Bound, TestContext.Current.CancellationToken)).Final);
    }
}
