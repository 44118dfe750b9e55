using EdgeGateway.Contracts.V1;
using EdgeGateway.Devices.Lte;
using EdgeGateway.Devices.Tetra;
using EdgeGateway.Uplink.Drain;
using EdgeGateway.Uplink.Mqtt;
using EdgeGateway.Uplink.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Uplink.Tetra;

/// <summary>
/// Moves the one drain onto TETRA while LTE is down: whenever the MQTT link is offline (or the LTE modem
/// says the bearer is unavailable) and the terminal is registered, it runs <see cref="DrainLoop.RunFallbackAsync"/>
/// on a <see cref="TetraBearer"/> for the classes <c>Routing:Tetra</c> allows. When MQTT connects again its
/// drain takes over (the TETRA run settles first, so nothing it delivered is sent again); when the terminal
/// loses the network the run ends and its unacknowledged leases wait in the outbox. Sleeps between link changes.
/// </summary>
internal sealed class TetraUplinkService : BackgroundService
{
    private readonly TetraAdapter _terminal;
    private readonly LinkStateMachine _link;
    private readonly ILteLink? _lte;
    private readonly MqttUplinkService _uplink;
    private readonly TetraUplinkSettings _settings;
    private readonly TetraUplinkCounters _counters;
    private readonly TimeProvider _time;
    private readonly ILogger<TetraUplinkService> _logger;
    private readonly AutoResetSignal _changed = new();

    public TetraUplinkService(
        TetraAdapter terminal,
        LinkStateMachine link,
        MqttUplinkService uplink,
        IOptions<TetraOptions> tetra,
        IOptions<RoutingOptions> routing,
        TetraUplinkCounters counters,
        TimeProvider time,
        ILogger<TetraUplinkService> logger,
        ILteLink? lte = null)
    {
        _terminal = terminal;
        _link = link;
        _lte = lte;
        _uplink = uplink;
        _settings = TetraUplinkSettings.From(tetra.Value, routing.Value);
        _counters = counters;
        _time = time;
        _logger = logger;
    }

    /// <summary>True while LTE is down and the terminal can carry SDS.</summary>
    public bool ShouldUseTetra =>
        _terminal.IsAvailable && (_link.Current == LinkState.Offline || _lte?.Status.State == LteBearerState.Unavailable);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        if (_settings.Classes.Count == 0)
        {
            return;
        }

        void OnLink(LinkStateChange _) => _changed.Set();
        void OnTerminal(TetraStatus _) => _changed.Set();
        void OnLte(LteStatus _) => _changed.Set();
        _link.Changed += OnLink;
        _terminal.StatusChanged += OnTerminal;
        if (_lte is not null)
        {
            _lte.StateChanged += OnLte;
        }

        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (ShouldUseTetra && _uplink.Drain.Bearer is null)
                {
                    await RunOnTetraAsync(stoppingToken).ConfigureAwait(false);
                }

                // Also re-checked now and then: the MQTT drain may end just after a link change.
                using var recheck = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                recheck.CancelAfter(TimeSpan.FromSeconds(2));
                try
                {
                    await _changed.WaitAsync(recheck.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            _link.Changed -= OnLink;
            _terminal.StatusChanged -= OnTerminal;
            if (_lte is not null)
            {
                _lte.StateChanged -= OnLte;
            }
        }
    }

    private async Task RunOnTetraAsync(CancellationToken stoppingToken)
    {
        using var scope = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var bearer = new TetraBearer(_terminal, _uplink.Drain, _settings, _counters, _time, _logger, stoppingToken);
        var run = _uplink.Drain.RunFallbackAsync(bearer, _settings.Drain, _settings.Classes, scope.Token);
        if (run.IsCompleted && !await run.ConfigureAwait(false))
        {
            return; // MQTT's drain holds the outbox: LTE is back already
        }

        _counters.Failover();
        Log.FailedOver(_logger, string.Join(", ", _settings.Classes), _settings.DispatcherIssi);
        while (!run.IsCompleted)
        {
            await Task.WhenAny(run, _changed.WaitAsync(stoppingToken)).ConfigureAwait(false);
            if (!ShouldUseTetra)
            {
                await scope.CancelAsync().ConfigureAwait(false);
            }
        }

        try
        {
            if (!await run.ConfigureAwait(false))
            {
                return;
            }
        }
        catch (OperationCanceledException) when (scope.IsCancellationRequested)
        {
        }

        Log.FallbackEnded(_logger, stoppingToken.IsCancellationRequested ? "stopping" : ShouldUseTetra ? "MQTT is back" : "LTE back or TETRA lost",
            _counters.EnvelopesStored + _counters.PositionsStored);
    }
}
