using System.Diagnostics;
using System.Runtime;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Uplink.Drain;
using EdgeGateway.Uplink.Mqtt;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Hosting.MemoryTrim;

/// <summary>
/// Gives memory that a burst of work left behind back to the system: one blocking, compacting, aggressive full
/// collection (large objects compacted too) a settle time after the host has started, and again after a burst of
/// transient work has ended (<see cref="RequestAfterBurst"/>: the uplink's drain loop has leased a backlog and has
/// nothing more to lease, <see cref="DrainLoop.BacklogDrained"/>; the link's first connection when that came after
/// start-up), at most once per
/// <see cref="MemoryTrimOptions.MemoryTrimMinInterval"/>.
/// </summary>
/// <remarks>
/// Why: start-up (configuration binding, dependency injection, opening LiteDB, the TLS handshake and MQTT connect)
/// allocates megabytes that survive into gen2, and a gateway that then allocates a few KB a second does not run
/// another gen2 for hours, so the regions holding that garbage stay committed and resident. An aggressive collection
/// compacts what is live and decommits the free regions. Idle costs nothing: no periodic timer, only a one-shot timer
/// armed while a trim is due. The collection pauses the process for a few milliseconds on a heap of this size.
/// </remarks>
internal sealed class MemoryTrimmer : IHostedService, IDisposable
{
    /// <summary>What the trim does; a test passes a counter instead.</summary>
    internal static readonly Action CompactAndDecommit = () =>
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    };

    private readonly Lock _gate = new();
    private readonly IHostApplicationLifetime _lifetime;
    private readonly TimeProvider _time;
    private readonly MemoryTrimOptions _options;
    private readonly ILogger _logger;
    private readonly Action _collect;
    private readonly DrainLoop? _drain;
    private readonly Action<long> _onBacklogDrained;
    private readonly LinkStateMachine? _link;
    private readonly Action<LinkStateChange> _onLinkChanged;
    private int _connectedOnce;
    private ITimer? _timer;
    private CancellationTokenRegistration _started;
    private DateTimeOffset? _lastTrim;
    private string? _pendingReason;
    private DateTimeOffset? _due;
    private bool _stopped;
    private int _trims;

    public MemoryTrimmer(IHostApplicationLifetime lifetime, TimeProvider time, IOptions<MemoryTrimOptions> options, ILogger<MemoryTrimmer> logger, DrainLoop? drain = null, LinkStateMachine? link = null, Action? collect = null)
    {
        _drain = drain;
        _onBacklogDrained = _ => RequestAfterBurst("backlog drained");
        _link = link;
        _onLinkChanged = OnLinkChanged;
        _lifetime = lifetime;
        _time = time;
        _options = options.Value;
        _logger = logger;
        _collect = collect ?? CompactAndDecommit;
    }

    /// <summary>False when <see cref="MemoryTrimOptions.MemoryTrimAfterStart"/> is zero: no trim at all.</summary>
    public bool Enabled => _options.MemoryTrimAfterStart > TimeSpan.Zero;

    /// <summary>Trims run so far.</summary>
    public int Trims
    {
        get
        {
            lock (_gate)
            {
                return _trims;
            }
        }
    }

    /// <summary>When the next trim runs, or null when none is due.</summary>
    public DateTimeOffset? Due
    {
        get
        {
            lock (_gate)
            {
                return _due;
            }
        }
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (Enabled)
        {
            _started = _lifetime.ApplicationStarted.Register(static state => ((MemoryTrimmer)state!).Request("start-up"), this);
            if (_drain is not null)
            {
                _drain.BacklogDrained += _onBacklogDrained;
            }

            if (_link is not null)
            {
                _link.Changed += _onLinkChanged;
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken)
    {
        Unsubscribe();
        lock (_gate)
        {
            _stopped = true;
            Disarm();
        }

        _started.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>
    /// A burst of transient work has ended (a backlog drained to empty): trim a settle time from now, or once
    /// <see cref="MemoryTrimOptions.MemoryTrimMinInterval"/> has passed since the last trim, whichever is later.
    /// Cheap and idempotent: a request while a trim is due changes nothing. Before the start-up trim has run the
    /// start-up trim covers it.
    /// </summary>
    public void RequestAfterBurst(string reason) => Request(reason);

    private void OnLinkChanged(LinkStateChange change)
    {
        // The first connection's TLS handshake and MQTT session are start-up work too; when the link was down at
        // start-up they come after the start-up trim. Later reconnects are not trimmed.
        if (change.To == LinkState.Connected && Interlocked.Exchange(ref _connectedOnce, 1) == 0)
        {
            Request("first connection");
        }
    }

    private void Unsubscribe()
    {
        if (_drain is not null)
        {
            _drain.BacklogDrained -= _onBacklogDrained;
        }

        if (_link is not null)
        {
            _link.Changed -= _onLinkChanged;
        }
    }

    private void Request(string reason)
    {
        if (!Enabled)
        {
            return;
        }

        lock (_gate)
        {
            if (_stopped || _pendingReason is not null)
            {
                return;
            }

            var now = _time.GetUtcNow();
            var due = now + _options.MemoryTrimAfterStart;
            if (_lastTrim is { } last && last + _options.MemoryTrimMinInterval > due)
            {
                due = last + _options.MemoryTrimMinInterval;
            }

            _pendingReason = reason;
            _due = due;
            _timer = _time.CreateTimer(static state => ((MemoryTrimmer)state!).Fire(), this, due - now, Timeout.InfiniteTimeSpan);
        }
    }

    private void Fire()
    {
        string reason;
        lock (_gate)
        {
            if (_stopped || _pendingReason is null)
            {
                return;
            }

            reason = _pendingReason;
            Disarm();
            _lastTrim = _time.GetUtcNow();
            _trims++;
        }

        try
        {
            var before = GC.GetTotalMemory(forceFullCollection: false);
            var started = Stopwatch.GetTimestamp();
            _collect();
            Log.Trimmed(_logger, reason, Stopwatch.GetElapsedTime(started), before, GC.GetTotalMemory(forceFullCollection: false));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.Failed(_logger, reason, e);
        }
    }

    private void Disarm()
    {
        _pendingReason = null;
        _due = null;
        _timer?.Dispose();
        _timer = null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Unsubscribe();
        lock (_gate)
        {
            _stopped = true;
            Disarm();
        }

        _started.Dispose();
    }
}
