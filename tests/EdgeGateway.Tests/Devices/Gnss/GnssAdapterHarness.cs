using EdgeGateway.Devices.Gnss;
using EdgeGateway.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Tests.Devices.Gnss;

/// <summary>Runs a real <see cref="GnssAdapter"/> against a connector and an in-memory sink.</summary>
internal sealed class GnssAdapterHarness : IAsyncDisposable
{
    private readonly GnssAdapter _adapter;

    public GnssAdapterHarness(IByteSourceConnector connector, GnssThinningOptions? thinning = null, bool correctWeekRollover = false, TimeSpan? idleTimeout = null)
    {
        var options = new GnssOptions
        {
            CorrectWeekRollover = correctWeekRollover, // replayed captures keep their (old) dates
            ReconnectMinDelay = TimeSpan.FromMilliseconds(50),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(400),
            IdleTimeout = idleTimeout ?? TimeSpan.FromSeconds(5),
            Thinning = thinning ?? new GnssThinningOptions { MinInterval = TimeSpan.Zero, MinDistanceMetres = 0 },
        };
        _adapter = new GnssAdapter(Options.Create(options), connector, Sink, Counters, TimeProvider.System, NullLoggerFactory.Instance);
    }

    public InMemoryObservationSink Sink { get; } = new();

    public GnssCounters Counters { get; } = new();

    public Task StartAsync() => _adapter.StartAsync(TestContext.Current.CancellationToken);

    /// <summary>Polls a counter condition with a bounded deadline (counters have no change event).</summary>
    public Task WaitForAsync(Func<GnssCounters, bool> condition, TimeSpan timeout) =>
        Eventually.TrueAsync(() => condition(Counters), timeout, "the GNSS counters to reach the expected state");

    public async ValueTask DisposeAsync()
    {
        await _adapter.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));
        _adapter.Dispose();
    }
}
