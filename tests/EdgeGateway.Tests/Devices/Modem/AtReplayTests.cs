using EdgeGateway.Devices.Lte;
using EdgeGateway.Devices.Tetra;
using EdgeGateway.Simulators.Modem;
using EdgeGateway.Tests.Devices.Tetra;
using EdgeGateway.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Tests.Devices.Modem;

/// <summary>
/// The modem simulators replaying the real captures in <c>../shared/testdata/at/</c> over a real pty, and the
/// adapters (System.IO.Ports, as in a vehicle) reading them: a recorded reply answers its command byte for
/// byte, the replies to commands the adapter never sends arrive as stray lines, and the adapter stays up.
/// </summary>
public sealed class AtReplayTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>What the TETRA adapter sends itself (recorded replies to these answer it; the rest arrive as strays).</summary>
    private static readonly HashSet<string> TetraCommands = ["AT", "AT+CREG?", "AT+CSQ", .. PeiCommands.Initialisation.Select(c => c.ToUpperInvariant())];

    [Theory]
    [MemberData(nameof(AtCaptures.Names), MemberType = typeof(AtCaptures))]
    public async Task TetraAdapter_EveryCaptureReplayed_StaysConnectedAndKeepsPolling(string name)
    {
        var recording = AtRecording.Load(Path.Combine(AtCaptures.Directory, name));
        await using var harness = new TetraTerminalHarness(
            new TetraTerminalOptions { ReplyDelay = TimeSpan.FromMilliseconds(1), AirTime = TimeSpan.Zero },
            o => o.PollInterval = TimeSpan.FromMilliseconds(50));
        harness.Terminal.Replay = recording;
        await harness.Adapter.StartAsync(TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => harness.Adapter.Status.Connected, Patience, "the terminal initialised");

        harness.Terminal.InjectRecordedReplies(TetraCommands);
        var before = harness.Terminal.Commands;

        await Eventually.TrueAsync(() => harness.Terminal.Commands >= before + 4, Patience, "two more polls after the stray replies");
        Assert.True(harness.Adapter.Status.Connected);
        Assert.Equal(recording.Commands.Contains("AT+CREG?"), harness.Terminal.Replayed > 0);
    }

    [Theory]
    [InlineData("gammu/at-creg/sierra312u.dump", true)]     // stat 5: registered, roaming
    [InlineData("gammu/at-creg/none.dump", false)]          // stat 0
    [InlineData("gammu/at-creg/empty.dump", false)]         // OK without an information line: nothing learnt
    [InlineData("gammu/at-creg-corner/empty-lac.dump", true)] // stat 1 with an empty LAC: the LAC is invalid, the state is not
    public async Task TetraAdapter_RecordedRegistration_IsWhatItReads(string name, bool registered)
    {
        await using var harness = new TetraTerminalHarness(
            new TetraTerminalOptions { ReplyDelay = TimeSpan.FromMilliseconds(1), AirTime = TimeSpan.Zero },
            o => o.PollInterval = TimeSpan.FromMilliseconds(50));
        harness.Terminal.Replay = AtRecording.Load(Path.Combine(AtCaptures.Directory, name));
        await harness.Adapter.StartAsync(TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => harness.Adapter.Status.Connected && harness.Terminal.Replayed >= 2, Patience, "two recorded +CREG answers read");

        Assert.Equal(registered, harness.Adapter.Status.Registered);
        Assert.Equal(registered, harness.Adapter.IsAvailable);
    }

    [Fact]
    public async Task LteAdapter_EveryCaptureAsStrayLines_RecordedRoamingRegistrationRead_BearerGood()
    {
        using var folder = new TempDirectory();
        var link = Path.Combine(folder.Path, "lte0");
        LteModem? modem = null;
        using var pty = DuplexPty.Open(link, bytes => modem?.Feed(bytes));
        modem = new LteModem(echo: true, TimeSpan.FromMilliseconds(1), bytes => pty.Write(bytes.Span), TimeProvider.System)
        {
            // Every real capture, plus a recorded LTE registration (roaming, TAC/cell in hex, E-UTRAN).
            Replay = AtRecording.FromDump("AT+CEREG?\r\n+CEREG: 2,5,\"2AF5\",\"0B88E350\",7\r\nOK\r\n"),
        };
        var all = AtRecording.Load(AtCaptures.Directory);
        using var stop = new CancellationTokenSource();
        var loop = modem.RunAsync(stop.Token);
        var options = new LteOptions
        {
            Enabled = true,
            Serial = new SerialTransportOptions { PortName = link },
            ReconnectMinDelay = TimeSpan.FromMilliseconds(50),
            PollInterval = TimeSpan.FromMilliseconds(50),
        };
        var counters = new LteCounters();
        using var adapter = new LteAdapter(Options.Create(options), new SerialByteSourceConnector(options.Serial), counters, TimeProvider.System, NullLoggerFactory.Instance);
        await adapter.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            await Eventually.TrueAsync(() => adapter.Status.State == LteBearerState.Good, Patience, "the recorded roaming registration read as Good");
            var stray = new AtDeviceStrays(modem, all);
            stray.Inject();
            var before = modem.Commands;
            await Eventually.TrueAsync(() => modem.Commands >= before + 10, Patience, "two more polls after every capture arrived as stray lines");

            Assert.Equal(LteBearerState.Good, adapter.Status.State);
            Assert.Equal(5, adapter.Status.Registration!.Stat);
            Assert.Equal(0x2AF5, adapter.Status.Registration.Lac);
            Assert.Equal(0x0B88E350, adapter.Status.Registration.CellId);
        }
        finally
        {
            await adapter.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken);
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loop);
        }
    }

    [Fact]
    public void Recording_GatewayTrafficFormat_CommandsAndRepliesPaired_EchoDropped_RepeatsInTurn()
    {
        var at = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        var lines = new[]
        {
            EdgeGateway.Contracts.Recording.TrafficRecordFormat.Header,
            Line(at, false, "\r\n+CUSD: 0,\"hi\",15\r\n"), // before any command: unsolicited
            Line(at, true, "AT+CSQ\r"),
            Line(at, false, "AT+CSQ\r\r\n+CSQ: 22,99\r\n"),
            Line(at, false, "\r\nOK\r\n"),
            Line(at, true, "AT+CSQ\r"),
            Line(at, false, "AT+CSQ\r\r\n+CSQ: 9,99\r\n\r\nOK\r\n"),
        };
        using var folder = new TempDirectory();
        var path = Path.Combine(folder.Path, "tetra.rec");
        File.WriteAllLines(path, lines);

        var recording = AtRecording.Load(path);

        Assert.Equal(["AT+CSQ"], recording.Commands);
        Assert.Equal(["+CUSD: 0,\"hi\",15"], recording.Unsolicited);
        Assert.Equal("\r\n+CSQ: 22,99\r\n\r\nOK\r\n", recording.TryAnswer("AT+CSQ"));
        Assert.Equal("\r\n+CSQ: 9,99\r\n\r\nOK\r\n", recording.TryAnswer("AT+CSQ"));
        Assert.Equal("\r\n+CSQ: 9,99\r\n\r\nOK\r\n", recording.TryAnswer("AT+CSQ"));
        Assert.Null(recording.TryAnswer("AT+CREG?"));
    }

    private static string Line(DateTimeOffset at, bool sent, string text) =>
        EdgeGateway.Contracts.Recording.TrafficRecordFormat.FormatLine(
            at,
            sent ? EdgeGateway.Contracts.Recording.TrafficDirection.Sent : EdgeGateway.Contracts.Recording.TrafficDirection.Received,
            System.Text.Encoding.ASCII.GetBytes(text));

    /// <summary>Writes another recording's replies through a device, as stray lines.</summary>
    private sealed class AtDeviceStrays(AtDevice device, AtRecording recording)
    {
        public void Inject()
        {
            var own = device.Replay;
            device.Replay = recording;
            device.InjectRecordedReplies([]);
            device.Replay = own;
        }
    }
}
