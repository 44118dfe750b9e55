using System.Text;
using EdgeGateway.Devices.Lte;
using EdgeGateway.Devices.Modem;
using EdgeGateway.Simulators.Modem;
using EdgeGateway.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Tests.Devices.Lte;

/// <summary>The LTE modem adapter against the simulated modem over a real pty (System.IO.Ports), and its parsing.</summary>
public sealed class LteAdapterTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Coverage_GoodPoorLostGood_IsFollowed(bool echo)
    {
        using var folder = new TempDirectory();
        var link = Path.Combine(folder.Path, "lte0");
        LteModem? modem = null;
        using var pty = DuplexPty.Open(link, bytes => modem?.Feed(bytes));
        modem = new LteModem(echo, TimeSpan.FromMilliseconds(5), bytes => pty.Write(bytes.Span), TimeProvider.System);
        using var stop = new CancellationTokenSource();
        var loop = modem.RunAsync(stop.Token);
        var options = new LteOptions
        {
            Enabled = true,
            Serial = new SerialTransportOptions { PortName = link },
            ReconnectMinDelay = TimeSpan.FromMilliseconds(50),
            PollInterval = TimeSpan.FromMilliseconds(200),
        };
        using var adapter = new LteAdapter(Options.Create(options), new SerialByteSourceConnector(options.Serial), new LteCounters(), TimeProvider.System, NullLoggerFactory.Instance);
        await adapter.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            await Eventually.TrueAsync(() => adapter.Status.State == LteBearerState.Good, because: "the modem to be read as Good");
            var good = adapter.Status;
            Assert.Equal(-85, good.RsrpDbm);
            Assert.Equal(-5.5, good.RsrqDb);
            Assert.Equal("EE ESN", good.Operator);
            Assert.Equal("10.64.12.7", good.Address);
            Assert.Equal(0x1A2B, good.Registration!.Lac);
            Assert.Equal(7, good.Registration.AccessTechnology);

            modem.SetCoverage(LteCoverage.Poor);
            await Eventually.TrueAsync(() => adapter.Status.State == LteBearerState.Poor, because: "weak RSRP to make the bearer Poor");

            modem.SetCoverage(LteCoverage.Lost);
            await Eventually.TrueAsync(() => adapter.Status.State == LteBearerState.Unavailable, because: "+CEREG: 2 to make it Unavailable");

            modem.SetCoverage(LteCoverage.Good);
            await Eventually.TrueAsync(() => adapter.Status.State == LteBearerState.Good, because: "registration and an address to come back");
        }
        finally
        {
            await adapter.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15), TestContext.Current.CancellationToken);
            await stop.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loop);
        }
    }

    [Theory]
    [InlineData("99,99,255,255,28,55", -85, -5.5)]
    [InlineData("99,99,255,255,255,255", null, null)]
    [InlineData("99,99,255,255,0,97,12", -43, -19.5)]   // a vendor's extra SINR field is ignored
    public void Cesq_Parses(string parameters, int? rsrp, double? rsrq)
    {
        Assert.True(CesqReport.TryParse(Encoding.ASCII.GetBytes(parameters), out var rsrpDbm, out var rsrqDb));
        Assert.Equal(rsrp, rsrpDbm);
        Assert.Equal(rsrq, rsrqDb);
    }

    [Theory]
    [InlineData("99,99,255")]
    [InlineData("a,b,c,d,e,f")]
    [InlineData("")]
    public void Cesq_Broken_ReturnsFalse(string parameters) =>
        Assert.False(CesqReport.TryParse(Encoding.ASCII.GetBytes(parameters), out _, out _));

    [Fact]
    public void Classify_NeedsRegistrationAndAnAddress_ThenSignal()
    {
        var registered = RegistrationReport.Parse("2,1,\"1A2B\",\"01C2D3E4\",7"u8, solicited: true);
        var roaming = RegistrationReport.Parse("5"u8, solicited: false);
        var searching = RegistrationReport.Parse("2"u8, solicited: false);

        Assert.Equal(LteBearerState.Unavailable, LteAdapter.Classify(LteStatus.Unknown, -110));
        Assert.Equal(LteBearerState.Unavailable, LteAdapter.Classify(new LteStatus(default, searching, -80, null, null, null, "10.0.0.1"), -110));
        Assert.Equal(LteBearerState.Unavailable, LteAdapter.Classify(new LteStatus(default, registered, -80, null, null, null, null), -110));
        Assert.Equal(LteBearerState.Good, LteAdapter.Classify(new LteStatus(default, roaming, -80, null, null, null, "10.0.0.1"), -110));
        Assert.Equal(LteBearerState.Poor, LteAdapter.Classify(new LteStatus(default, registered, -118, null, null, null, "10.0.0.1"), -110));
        Assert.Equal(LteBearerState.Poor, LteAdapter.Classify(new LteStatus(default, registered, null, null, new SignalQuality(6, null), null, "10.0.0.1"), -110));
    }
}
