using EdgeGateway.Devices.Tetra;
using EdgeGateway.Simulators.Modem;
using EdgeGateway.Tests.Devices.Gnss;
using EdgeGateway.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Tests.Devices.Tetra;

/// <summary>
/// The simulated TETRA terminal on a real pseudo-terminal and the real <see cref="TetraAdapter"/> opening it
/// with System.IO.Ports, as in a vehicle; the sink keeps what the adapter stores.
/// </summary>
internal sealed class TetraTerminalHarness : IAsyncDisposable
{
    private readonly TempDirectory _folder = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly DuplexPty _pty;
    private readonly Task _terminalLoop;

    public TetraTerminalHarness(TetraTerminalOptions? terminal = null, Action<TetraOptions>? configure = null)
    {
        TetraTerminal? created = null;
        var link = Path.Combine(_folder.Path, "tetra0");
        _pty = DuplexPty.Open(link, bytes => created?.Feed(bytes));
        created = new TetraTerminal(terminal ?? new TetraTerminalOptions { ReplyDelay = TimeSpan.FromMilliseconds(5), AirTime = TimeSpan.Zero }, bytes => _pty.Write(bytes.Span), TimeProvider.System);
        Terminal = created;
        _terminalLoop = Terminal.RunAsync(_stop.Token);
        var options = new TetraOptions
        {
            Enabled = true,
            Serial = new SerialTransportOptions { PortName = link, BaudRate = 38400 },
            ReconnectMinDelay = TimeSpan.FromMilliseconds(50),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(500),
            SdsMinInterval = TimeSpan.Zero,
            ReportTimeout = TimeSpan.FromSeconds(20),
            DispatcherIssi = "9000",
        };
        configure?.Invoke(options);
        Adapter = new TetraAdapter(Options.Create(options), new SerialByteSourceConnector(options.Serial), Sink, Counters, TimeProvider.System, NullLoggerFactory.Instance);
    }

    public TetraTerminal Terminal { get; }

    public TetraAdapter Adapter { get; }

    public InMemoryObservationSink Sink { get; } = new();

    public TetraCounters Counters { get; } = new();

    /// <summary>Starts the adapter and waits until the terminal is initialised and registered.</summary>
    public async Task StartAsync()
    {
        await Adapter.StartAsync(TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => Adapter.IsAvailable, because: "the terminal to be initialised and registered");
    }

    public async ValueTask DisposeAsync()
    {
        await Adapter.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));
        Adapter.Dispose();
        await _stop.CancelAsync();
        await _terminalLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _pty.Dispose();
        _stop.Dispose();
        _folder.Dispose();
    }
}
