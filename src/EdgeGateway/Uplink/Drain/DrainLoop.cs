using System.Collections.Concurrent;
using System.Threading.Channels;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Hosting.Watchdog;
using EdgeGateway.Outbox;
using EdgeGateway.Outbox.Leasing;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Uplink.Drain;

/// <summary>
/// Runs a <see cref="DrainScheduler"/> against the outbox and a connected <see cref="IUplinkBearer"/>:
/// carries out each step (lease, send, return leases) and parks when told to wait, on one signal that
/// acknowledgements, outbox signals, deletes and the step's deadline set. Also applies acknowledgements
/// from any bearer: an acked id leaves the window at once and is deleted from the outbox behind it, in
/// bounded chunks, so deletes never hold up leasing.
/// </summary>
/// <remarks>
/// One instance per outbox, for the life of the process; <see cref="RunAsync"/> once per connection
/// (a fresh scheduler each time) and <see cref="RunAcknowledgementsAsync"/> alongside for the whole life.
/// </remarks>
internal sealed class DrainLoop
{
    /// <summary>
    /// Most ids in one <see cref="IOutbox.AcknowledgeAsync"/>: deletes hold the outbox lock, and small
    /// chunks let urgent enqueues and leases in between.
    /// </summary>
    private const int MaxIdsPerAcknowledge = 200;

    /// <summary>
    /// Messages leased between two idle points that make a backlog (<see cref="BacklogDrained"/>); a gateway
    /// at 1 Hz leases one or a few and goes idle again.
    /// </summary>
    internal const int BacklogMessages = 1_000;

    private readonly IOutbox _outbox;
    private readonly DrainSettings _settings;
    private readonly UplinkCounters _counters;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly AutoResetSignal _wake = new();
    private readonly ConcurrentQueue<IReadOnlyList<string>> _windowAcks = new();
    private readonly Channel<IReadOnlyList<string>> _deletes = Channel.CreateUnbounded<IReadOnlyList<string>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _runGate = new(1, 1);
    private readonly Lock _fallbackGate = new();
    private CancellationTokenSource? _fallbackStop;
    private int _pendingDeletes;
    private long _wakeups;
    private long _leasedSinceIdle;
    private DrainScheduler? _current;
    private IUplinkBearer? _bearer;

    // The urgent lane (the loop's own flow only): armed while the loop waits, for a step or for room
    // to send backlog; when it completes, Emergency and Alert are leased and sent at once.
    private Task? _urgentWait;
    private bool _urgentLaneEmpty;

    public DrainLoop(IOutbox outbox, DrainSettings settings, UplinkCounters counters, TimeProvider time, ILogger logger)
    {
        _outbox = outbox;
        _settings = settings;
        _counters = counters;
        _time = time;
        _logger = logger;
        DedupeKeys = new EnvelopeDedupeKeys(outbox as IOutboxDedupeKeys);
    }

    /// <summary>
    /// How many times the loop has been woken from a wait. While there is nothing to do it must stay
    /// flat: a test counts it over fake minutes so that a spin cannot come back unnoticed.
    /// </summary>
    public long Wakeups => Interlocked.Read(ref _wakeups);

    /// <summary>Working while the loop carries out a step, idle while it waits (or no bearer is connected): the watchdog's view.</summary>
    public LivenessProbe Liveness { get; } = new("drain");

    /// <summary>
    /// Raised on the loop once a backlog (at least <see cref="BacklogMessages"/> messages leased since the
    /// scheduler was last idle) has been leased and there is nothing more to lease: a burst of transient work
    /// has ended (the memory trim listens). The argument is how many were leased. Must return at once.
    /// </summary>
    public event Action<long>? BacklogDrained;

    /// <summary>The running scheduler's state, or null while no bearer is connected.</summary>
    public DrainState? State => Volatile.Read(ref _current)?.State;

    /// <summary>Second deduplication keys stamped on a message's later sends (a position also sent as TETRA LIP).</summary>
    public EnvelopeDedupeKeys DedupeKeys { get; }

    /// <summary>Acknowledged ids not yet deleted from the outbox.</summary>
    public int PendingDeletes => Volatile.Read(ref _pendingDeletes);

    /// <summary>
    /// FleetControl has stored these messages. Thread-safe, any bearer: the window frees at once (the
    /// loop applies it on its next turn), the outbox delete follows in <see cref="RunAcknowledgementsAsync"/>.
    /// </summary>
    public void Acknowledge(IReadOnlyList<string> messageIds)
    {
        if (messageIds.Count == 0)
        {
            return;
        }

        Interlocked.Add(ref _pendingDeletes, messageIds.Count);
        DedupeKeys.Forget(messageIds);
        if (Volatile.Read(ref _current) is not null)
        {
            _windowAcks.Enqueue(messageIds);
        }

        if (!_deletes.Writer.TryWrite(messageIds))
        {
            // Shutting down: the ids are re-sent and acknowledged again after the next start.
            Interlocked.Add(ref _pendingDeletes, -messageIds.Count);
        }

        _wake.Set();
    }

    /// <summary>
    /// The bearer cannot carry these sent messages (too large for an SDS, say): they leave the window
    /// (so they neither block it nor time it out) but stay leased until the run ends, and then wait in
    /// the outbox for the next bearer. Thread-safe.
    /// </summary>
    public void Decline(IReadOnlyList<string> messageIds)
    {
        if (messageIds.Count > 0 && Volatile.Read(ref _current) is not null)
        {
            _windowAcks.Enqueue(messageIds);
            _wake.Set();
        }
    }

    /// <summary>The bearer the drain runs on now (null while none is connected).</summary>
    public IUplinkBearer? Bearer => Volatile.Read(ref _bearer);

    /// <summary>Wakes the loop (e.g. the link is gone and the caller is about to cancel it).</summary>
    public void Wake() => _wake.Set();

    /// <summary>Stops accepting acknowledgements; <see cref="RunAcknowledgementsAsync"/> finishes what is queued and returns.</summary>
    public void CompleteAcknowledgements() => _deletes.Writer.TryComplete();

    /// <summary>Deletes acknowledged messages from the outbox in bounded chunks until <see cref="CompleteAcknowledgements"/>.</summary>
    public async Task RunAcknowledgementsAsync(CancellationToken cancellationToken)
    {
        await Task.Yield();
        var reader = _deletes.Reader;
        var ids = new List<string>(MaxIdsPerAcknowledge);
        while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            ids.Clear();
            while (ids.Count < MaxIdsPerAcknowledge && reader.TryRead(out var batch))
            {
                ids.AddRange(batch);
            }

            var acknowledged = ids.ToArray();
            try
            {
                await _outbox.AcknowledgeAsync(acknowledged, cancellationToken).ConfigureAwait(false);
                _counters.Acked(acknowledged.Length);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The messages stay leased; they are re-sent after the next release and acknowledged again.
                Log.AcknowledgeFailed(_logger, acknowledged.Length, exception);
            }
            finally
            {
                Interlocked.Add(ref _pendingDeletes, -acknowledged.Length);
                _wake.Set();
            }
        }
    }

    /// <summary>
    /// Drains through <paramref name="bearer"/> until <paramref name="cancellationToken"/> fires (the link
    /// is gone or the service stops); then every lease goes back to the outbox (<see cref="LastReturned"/>).
    /// Throws if the outbox fails.
    /// </summary>
    /// <remarks>
    /// The primary bearer (MQTT): a fallback run (<see cref="RunFallbackAsync"/>) is told to stop first and
    /// this run starts once it has settled; only one run drains the outbox at a time.
    /// </remarks>
    public async Task RunAsync(IUplinkBearer bearer, CancellationToken cancellationToken)
    {
        lock (_fallbackGate)
        {
            _fallbackStop?.Cancel();
        }

        await _runGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await RunCoreAsync(bearer, _settings, null, fallback: false, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _runGate.Release();
        }
    }

    /// <summary>
    /// Drains only <paramref name="classes"/> through a narrow fallback bearer (TETRA) with its own limits,
    /// until <paramref name="cancellationToken"/> fires or the primary bearer starts (<see cref="RunAsync"/>):
    /// then no more is sent, the bearer settles (its outstanding reports arrive, bounded by the ack timeout)
    /// and the acknowledged messages are deleted before any lease is returned, so the primary bearer does
    /// not send again what the fallback delivered. Returns false at once if the primary bearer is running.
    /// </summary>
    public async Task<bool> RunFallbackAsync(IUplinkBearer bearer, DrainSettings settings, IReadOnlySet<PriorityClass> classes, CancellationToken cancellationToken)
    {
        if (!await _runGate.WaitAsync(TimeSpan.Zero, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        lock (_fallbackGate)
        {
            _fallbackStop = stop;
        }

        try
        {
            await RunCoreAsync(bearer, settings, classes, fallback: true, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // The primary bearer is back.
        }
        finally
        {
            lock (_fallbackGate)
            {
                _fallbackStop = null;
            }

            _runGate.Release();
        }

        return true;
    }

    private void EndOfBurst()
    {
        var leased = _leasedSinceIdle;
        _leasedSinceIdle = 0;
        if (leased >= BacklogMessages)
        {
            BacklogDrained?.Invoke(leased);
        }
    }

    private async Task RunCoreAsync(IUplinkBearer bearer, DrainSettings settings, IReadOnlySet<PriorityClass>? classes, bool fallback, CancellationToken cancellationToken)
    {
        var scheduler = new DrainScheduler(settings, _time);
        while (_windowAcks.TryDequeue(out _))
        {
            // Acks for an earlier connection's window: that window was returned already.
        }

        Volatile.Write(ref _current, scheduler);
        _urgentWait = null;
        Volatile.Write(ref _bearer, bearer);

        // The urgent lane leases Emergency and Alert: only on a bearer that may carry both.
        var urgentLane = classes is null || LeaseScheduler.Urgent.All(classes.Contains);
        using var timer = _time.CreateTimer(static state => ((AutoResetSignal)state!).Set(), _wake, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        Task? outboxWait = null;
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Liveness.Working(_time);
                while (_windowAcks.TryDequeue(out var acked))
                {
                    scheduler.OnAcknowledged(acked);
                }

                if (outboxWait is { IsCompleted: true })
                {
                    await outboxWait.ConfigureAwait(false);
                    outboxWait = null;
                    scheduler.OnOutboxSignal();
                }

                _urgentLaneEmpty = !urgentLane;
                if (_urgentWait is { IsCompleted: true })
                {
                    await SendUrgentAsync(bearer, settings, scheduler, cancellationToken).ConfigureAwait(false);
                }

                var step = scheduler.Next(Volatile.Read(ref _pendingDeletes));
                switch (step.Action)
                {
                    case DrainAction.ReturnOverdue:
                        _counters.AckTimedOut();
                        Log.AckTimeout(_logger, settings.AckTimeout, step.Count);
                        bearer.AcksOverdue($"no acknowledgement within {settings.AckTimeout}");
                        ReturnAll(scheduler);
                        break;
                    case DrainAction.ReturnExpired:
                        ReturnAll(scheduler);
                        break;
                    case DrainAction.SendHeld:
                        await SendAsync(bearer, settings, scheduler, step.Messages!, cancellationToken).ConfigureAwait(false);
                        break;
                    case DrainAction.Lease or DrainAction.Probe:
                        // Armed before leasing, so a message enqueued during the lease is not missed.
                        outboxWait ??= WaitForOutboxAsync(cancellationToken);
                        var leased = classes is null
                            ? await _outbox.LeaseAsync(step.Count, cancellationToken).ConfigureAwait(false)
                            : await _outbox.LeaseAsync(step.Count, classes, cancellationToken).ConfigureAwait(false);
                        _leasedSinceIdle += leased.Count;
                        var live = scheduler.OnLeased(step.Action, leased, out var expired);
                        if (expired > 0)
                        {
                            _counters.Expired(expired);
                            Log.SkippedExpired(_logger, expired);
                        }

                        await SendAsync(bearer, settings, scheduler, live, cancellationToken).ConfigureAwait(false);
                        break;
                    default:
                        if (step.WantsOutboxSignal)
                        {
                            outboxWait ??= WaitForOutboxAsync(cancellationToken);
                        }

                        _ = ArmUrgentLane(cancellationToken); // observed at the top of the loop
                        if (scheduler.State == DrainState.Idle)
                        {
                            EndOfBurst();
                        }

                        timer.Change(step.Due, Timeout.InfiniteTimeSpan);
                        Liveness.Idle();
                        await _wake.WaitAsync(cancellationToken).ConfigureAwait(false);
                        Interlocked.Increment(ref _wakeups);
                        break;
                }
            }
        }
        finally
        {
            // The link is gone (or the service stops): every lease goes back to the outbox.
            Liveness.Idle();
            if (fallback && (scheduler.InFlight > 0 || Volatile.Read(ref _pendingDeletes) > 0))
            {
                await SettleAsync(bearer, settings.AckTimeout).ConfigureAwait(false);
            }

            Volatile.Write(ref _current, null);
            Volatile.Write(ref _bearer, null);
            LastReturned = ReturnAll(scheduler);
        }
    }

    /// <summary>How many sent, unacknowledged messages went back to the outbox when the last <see cref="RunAsync"/> ended.</summary>
    public int LastReturned { get; private set; }

    private int ReturnAll(DrainScheduler scheduler)
    {
        var inFlight = scheduler.ReturnAll();
        _outbox.ReleaseLeases();
        return inFlight;
    }

    /// <summary>
    /// A fallback bearer is giving way: waits (at most <paramref name="grace"/>) for what it still has in
    /// flight to be reported, and for the acknowledged ids to be deleted, so a returned lease is never one
    /// that was delivered.
    /// </summary>
    private async Task SettleAsync(IUplinkBearer bearer, TimeSpan grace)
    {
        using var deadline = new CancellationTokenSource(grace, _time);
        try
        {
            await bearer.SettleAsync(deadline.Token).ConfigureAwait(false);
            while (Volatile.Read(ref _pendingDeletes) > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(10), _time, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Out of patience: the unreported ones go back and may be sent again (FleetControl deduplicates envelopes).
        }
    }

    private async Task SendAsync(IUplinkBearer bearer, DrainSettings settings, DrainScheduler scheduler, IReadOnlyList<OutboxMessage> messages, CancellationToken cancellationToken)
    {
        if (messages.Count == 0)
        {
            return;
        }

        if (FaultInjection.HangDrain)
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, _time, cancellationToken).ConfigureAwait(false);
        }

        messages = DedupeKeys.Stamp(messages);
        foreach (var batch in PublishBatch.Plan(messages, settings.MaxBatch, settings.MaxBatchBytes))
        {
            var send = bearer.SendAsync(batch, cancellationToken);
            if (!send.IsCompleted && !DrainScheduler.IsUrgent(batch.Priority))
            {
                await SendBehindUrgentAsync(send.AsTask(), bearer, settings, scheduler, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await send.ConfigureAwait(false);
            }

            var ids = new string[batch.Messages.Count];
            long bytes = 0;
            for (var i = 0; i < ids.Length; i++)
            {
                ids[i] = batch.Messages[i].MessageId;
                bytes += batch.Messages[i].Envelope.Length;
            }

            scheduler.OnSent(ids, bytes);
        }
    }

    /// <summary>
    /// A backlog batch waits for room on the bearer (its pending sends are full until acknowledgements
    /// come back): meanwhile every Emergency and Alert that arrives is leased and sent past it, so it
    /// does not wait for the backlog's room to free. Order holds: urgent messages are leased oldest first,
    /// one lease at a time, and sent before the next lease.
    /// </summary>
    private async Task SendBehindUrgentAsync(Task send, IUplinkBearer bearer, DrainSettings settings, DrainScheduler scheduler, CancellationToken cancellationToken)
    {
        while (!send.IsCompleted && ArmUrgentLane(cancellationToken) is { } urgent)
        {
            await Task.WhenAny(send, urgent).ConfigureAwait(false);
            if (urgent.IsCompleted)
            {
                await SendUrgentAsync(bearer, settings, scheduler, cancellationToken).ConfigureAwait(false);
            }
        }

        await send.ConfigureAwait(false);
    }

    /// <summary>Arms the urgent lane's wait unless its last lease came back empty (until the next step); returns it.</summary>
    private Task? ArmUrgentLane(CancellationToken cancellationToken)
    {
        if (!_urgentLaneEmpty)
        {
            _urgentWait ??= WaitForUrgentAsync(cancellationToken);
        }

        return _urgentWait;
    }

    /// <summary>Leases the waiting Emergency and Alert messages and sends them at once, past window and pacing.</summary>
    private async Task SendUrgentAsync(IUplinkBearer bearer, DrainSettings settings, DrainScheduler scheduler, CancellationToken cancellationToken)
    {
        var urgent = _urgentWait!;
        _urgentWait = null;
        await urgent.ConfigureAwait(false);
        var leased = await _outbox.LeaseUrgentAsync(settings.MaxLease, cancellationToken).ConfigureAwait(false);
        _urgentLaneEmpty = leased.Count == 0; // nothing leasable after all: do not re-arm before the next step
        var live = scheduler.OnUrgentLeased(leased, out var expired);
        if (expired > 0)
        {
            _counters.Expired(expired);
            Log.SkippedExpired(_logger, expired);
        }

        await SendAsync(bearer, settings, scheduler, live, cancellationToken).ConfigureAwait(false);
    }

    private async Task WaitForUrgentAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _outbox.WaitForUrgentAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _wake.Set();
        }
    }

    private async Task WaitForOutboxAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _outbox.WaitForMessagesAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _wake.Set();
        }
    }
}
