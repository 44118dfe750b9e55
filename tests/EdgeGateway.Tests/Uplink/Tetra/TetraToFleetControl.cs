using System.Collections.Concurrent;
using System.Threading.Channels;
using EdgeGateway.Contracts.Tetra;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Devices.Tetra;
using EdgeGateway.Outbox.InMemory;
using EdgeGateway.Tests.Devices.Tetra;
using EdgeGateway.Tests.Outbox;
using EdgeGateway.Uplink;
using EdgeGateway.Uplink.Drain;
using EdgeGateway.Uplink.Routing;
using EdgeGateway.Uplink.Tetra;
using FleetControl.Hosting;
using FleetControl.Ingest;
using FleetControl.Store;
using FleetControl.Tetra;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Tests.Uplink.Tetra;

/// <summary>
/// A vehicle's TETRA bearer and FleetControl's TETRA gateway, linked as the network links them: the simulated terminal
/// on a real pty opened by the real <see cref="TetraAdapter"/>; the SDS it puts on the air go, one line at a time, to the
/// real <see cref="TetraGatewayService"/>, whose reports go back to the terminal; the ingest writer commits into a real
/// LiteDB store. <see cref="Drop"/> loses chosen lines on the way (a fade), in either direction.
/// </summary>
internal sealed class TetraToFleetControl : IAsyncDisposable
{
    public const string Device = "car-compact";
    public const string Issi = "1001";

    private readonly TempDirectory _folder = new();
    private readonly Channel<string> _air = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly IngestQueue _queue = new();
    private readonly IngestWriter _writer;
    private readonly Task _network;
    private readonly DrainSettings _mqttSettings = new(MaxInFlight: 10, MaxLease: 5, MaxBatch: 5, MaxBatchBytes: 256 * 1024, MaxMessagesPerSecond: 100_000, AckTimeout: TimeSpan.FromMinutes(30));
    private Task _acknowledgements;

    /// <param name="reportTimeout">The terminal's report timeout.</param>
    /// <param name="durable">The drain runs on a real LiteDB outbox (<see cref="Durable"/>, which <see cref="RestartGatewayAsync"/> reopens) instead of <see cref="Outbox"/>.</param>
    public TetraToFleetControl(TimeSpan reportTimeout, bool durable = false)
    {
        Terminal = new TetraTerminalHarness(configure: o => o.ReportTimeout = reportTimeout);
        Store = new LiteDbFleetStore(Path.Combine(_folder.Path, "fleet.db"));
        var options = new TetraGatewayOptions { Enabled = true, Issi = "9000" };
        options.Terminals[Issi] = Device;
        Gateway = new TetraGatewayService(Options.Create(options), _queue, IngestStats, GatewayStats, NullLogger<TetraGatewayService>.Instance);
        _writer = new IngestWriter(_queue, Store, new NoAcks(), IngestStats, TimeProvider.System, Options.Create(new FleetControlOptions()),
            NullLogger<IngestWriter>.Instance, observers: [new Committed(this)]);
        Terminal.Terminal.SdsSent += (destination, data) =>
        {
            Sent.Enqueue(data);
            _air.Writer.TryWrite(SwmiLink.Format(Issi, destination, data));
        };
        _network = RunNetworkAsync(_stop.Token);

        Outbox = new InMemoryOutbox();
        Durable = durable ? OutboxTestContext.Create(time: TimeProvider.System) : null;
        Drain = new DrainLoop(Durable is null ? Outbox : Durable.Outbox, _mqttSettings, new UplinkCounters(), TimeProvider.System, new TestLogger<DrainLoop>());
        _acknowledgements = Drain.RunAcknowledgementsAsync(_stop.Token);
        Settings = TetraUplinkSettings.From(
            new TetraOptions { DispatcherIssi = "9000", SdsMinInterval = TimeSpan.Zero, ReportTimeout = reportTimeout },
            new RoutingOptions { LipInterval = TimeSpan.Zero });
        Bearer = new TetraBearer(Terminal.Adapter, Drain, Settings, Counters, TimeProvider.System, new TestLogger<TetraBearer>(), _stop.Token);
    }

    public TetraTerminalHarness Terminal { get; }

    public TetraGatewayService Gateway { get; }

    public LiteDbFleetStore Store { get; }

    public IngestStats IngestStats { get; } = new();

    public TetraGatewayStats GatewayStats { get; } = new();

    public InMemoryOutbox Outbox { get; }

    /// <summary>The real LiteDB outbox the drain runs on, when built durable.</summary>
    public OutboxTestContext? Durable { get; }

    public DrainLoop Drain { get; private set; }

    public TetraBearer Bearer { get; private set; }

    public TetraUplinkSettings Settings { get; }

    public TetraUplinkCounters Counters { get; } = new();

    /// <summary>Every SDS the terminal put on the air (protocol identifier first).</summary>
    public ConcurrentQueue<byte[]> Sent { get; } = new();

    /// <summary>Every envelope the writer committed, duplicates included, in order.</summary>
    public ConcurrentQueue<Envelope> Stored { get; } = new();

    /// <summary>Lines to lose: gets the line and whether it goes terminal → FleetControl; true drops it.</summary>
    public Func<string, bool, bool> Drop { get; set; } = (_, _) => false;

    public async Task StartAsync()
    {
        await Terminal.StartAsync();
        await _writer.StartAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>The TETRA drain runs (LTE is down) until the returned source is cancelled.</summary>
    public (CancellationTokenSource Link, Task Run) RunFallback()
    {
        var link = new CancellationTokenSource();
        return (link, Drain.RunFallbackAsync(Bearer, Settings.Drain, Settings.Classes, link.Token));
    }

    /// <summary>
    /// LTE back: the drain runs on an LTE bearer until the returned source is cancelled (it preempts a TETRA run, as MQTT's
    /// does). The bearer publishes what MQTT would (<see cref="EnvelopeBatchPayload"/>, the wire form), FleetControl's writer
    /// commits it, and the commit acknowledges it to the drain, as a DeliveryAck does.
    /// </summary>
    public (CancellationTokenSource Link, Task Run) RunLte()
    {
        var link = new CancellationTokenSource();
        return (link, Drain.RunAsync(new LteBearer(this), link.Token));
    }

    /// <summary>
    /// The gateway process restarts (durable only; no run may be going): the outbox closes and opens again over the same
    /// data directory, with a new drain loop and TETRA bearer, so nothing held in memory survives.
    /// </summary>
    public async Task RestartGatewayAsync()
    {
        await Bearer.SettleAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        Drain.CompleteAcknowledgements();
        await _acknowledgements.WaitAsync(TimeSpan.FromSeconds(30));
        Durable!.Reopen();
        Drain = new DrainLoop(Durable.Outbox, _mqttSettings, new UplinkCounters(), TimeProvider.System, new TestLogger<DrainLoop>());
        _acknowledgements = Drain.RunAcknowledgementsAsync(_stop.Token);
        Bearer = new TetraBearer(Terminal.Adapter, Drain, Settings, Counters, TimeProvider.System, new TestLogger<TetraBearer>(), _stop.Token);
    }

    /// <summary>Every envelope the LTE bearer published, as FleetControl parsed it.</summary>
    public ConcurrentQueue<Envelope> SentOverLte { get; } = new();

    /// <summary>A line that reaches FleetControl's TETRA gateway now (a late SDS), its replies going back to the terminal.</summary>
    public Task ToFleetControlAsync(string line) => Gateway.OnLineAsync(line, Reply, _stop.Token);

    /// <summary>The same envelope arriving over MQTT (LTE back), committed by the same writer.</summary>
    public async Task DeliverOverLteAsync(Envelope envelope)
    {
        var committed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _queue.Writer.WriteAsync(new IngestBatch(Device, [envelope], _ =>
        {
            committed.TrySetResult();
            return Task.CompletedTask;
        }), TestContext.Current.CancellationToken);
        await committed.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _air.Writer.TryComplete();
        await _network.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await Bearer.SettleAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Drain.CompleteAcknowledgements();
        await _acknowledgements.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _writer.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        _writer.Dispose();
        await Terminal.DisposeAsync();
        Store.Dispose();
        Durable?.Dispose();
        _stop.Dispose();
        _folder.Dispose();
    }

    private async Task RunNetworkAsync(CancellationToken cancellationToken)
    {
        await foreach (var line in _air.Reader.ReadAllAsync(cancellationToken))
        {
            if (Drop(line, true))
            {
                continue;
            }

            await Gateway.OnLineAsync(line, Reply, cancellationToken);
        }
    }

    private Task Reply(string reply, CancellationToken cancellationToken)
    {
        if (!Drop(reply, false) && SwmiLink.TryParse(reply, out var calling, out _, out var data))
        {
            Terminal.Terminal.DeliverSds(calling, data);
        }

        return Task.CompletedTask;
    }

    private sealed class LteBearer(TetraToFleetControl owner) : IUplinkBearer
    {
        public async ValueTask SendAsync(PublishBatch batch, CancellationToken cancellationToken)
        {
            var published = EnvelopeBatch.Parser.ParseFrom(EnvelopeBatchPayload.Build(batch.Messages));
            foreach (var envelope in published.Envelopes)
            {
                owner.SentOverLte.Enqueue(envelope);
            }

            var ids = published.Envelopes.Select(e => e.MessageId).ToList();
            await owner._queue.Writer.WriteAsync(new IngestBatch(Device, [.. published.Envelopes], _ =>
            {
                owner.Drain.Acknowledge(ids);
                return Task.CompletedTask;
            }), cancellationToken);
        }

        public void AcksOverdue(string reason)
        {
        }
    }

    private sealed class NoAcks : IAckPublisher
    {
        public Task<bool> PublishAckAsync(string deviceId, DeliveryAck ack, CancellationToken cancellationToken) => Task.FromResult(true);
    }

    private sealed class Committed(TetraToFleetControl owner) : IIngestObserver
    {
        public void OnStored(IReadOnlyList<Envelope> envelopes)
        {
            foreach (var envelope in envelopes)
            {
                owner.Stored.Enqueue(envelope);
            }
        }
    }
}
