using EdgeGateway.Contracts.V1;
using EdgeGateway.Outbox;
using EdgeGateway.Outbox.Policy;

namespace EdgeGateway.Uplink.Drain;

/// <summary>
/// Decides what to lease from the outbox and when, for one connected bearer. Pure: no I/O, no
/// threads, no bearer; it is told what happened (<see cref="OnOutboxSignal"/>, <see cref="OnLeased"/>,
/// <see cref="OnSent"/>, <see cref="OnAcknowledged"/>) and answers <see cref="Next"/> with one step.
/// Time comes from the injected <see cref="TimeProvider"/>. Not thread-safe: <see cref="DrainLoop"/> is its only caller.
/// </summary>
/// <remarks>
/// The rules, in the order <see cref="Next"/> applies them:
/// <list type="number">
/// <item>The oldest sent batch is unacknowledged after <see cref="DrainSettings.AckTimeout"/>: return everything, re-send.</item>
/// <item>Room = window space (none while <see cref="DrainSettings.MaxInFlightBytes"/> are in flight; also bounded by
/// acknowledged messages still waiting to be deleted),
/// budget = min(room, pacing tokens). With budget, held messages go first, then a lease of
/// min(<see cref="DrainSettings.MaxLease"/>, budget) while the outbox may have more.</item>
/// <item>Without budget (window or pacing full), an outbox signal still leads to a one-message probe:
/// the outbox hands out the most urgent first, so an Emergency or Alert is sent at once, past window
/// and pacing (the bucket goes into debt); anything else is held, and the next probe waits
/// <see cref="ProbeGap"/>. That bounds probing against a level-triggered outbox.</item>
/// <item>Otherwise wait, with a deadline only if something is due (ack timeout, refill, probe gap);
/// an idle drain has no deadline at all, so it does not wake until something happens.</item>
/// <item>If the outbox signals but a lease after the signal comes back empty twice running, leasing
/// backs off from <see cref="ProbeGap"/> doubling to <see cref="MaxQuietGap"/> (<see cref="DrainState.Quiet"/>):
/// a wait that completes at once while nothing can be leased costs a lease per gap, not a core.</item>
/// </list>
/// </remarks>
internal sealed class DrainScheduler
{
    /// <summary>
    /// Least gap between two probes after one turned up a non-urgent message (or nothing): bounds the
    /// probing cost and the messages held while acks are slow; also the worst-case extra delay of an
    /// Emergency while the window is full.
    /// </summary>
    public static readonly TimeSpan ProbeGap = TimeSpan.FromMilliseconds(50);

    /// <summary>Longest gap between leases while the outbox signals but yields nothing (<see cref="DrainState.Quiet"/>).</summary>
    public static readonly TimeSpan MaxQuietGap = TimeSpan.FromSeconds(1);

    private readonly DrainSettings _settings;
    private readonly TimeProvider _time;
    private readonly TokenBucket _bucket;
    private readonly InFlightWindow _window = new();

    /// <summary>
    /// Leased but not sent yet: non-urgent probe results while the window was full, and the part of a lease beyond the
    /// byte room (at most MaxInFlight messages). Sent first when the window frees.
    /// </summary>
    private readonly List<OutboxMessage> _held = [];

    private bool _mayHaveMore = true;
    private bool _probePending = true;
    private long _nextProbeAt;
    private bool _signalledSinceLease;
    private int _emptyAfterSignal;
    private TimeSpan _quietGap;
    private long _nextLeaseAt;
    private int _leasedExpired;

    public DrainScheduler(DrainSettings settings, TimeProvider time)
    {
        _settings = settings;
        _time = time;
        _bucket = new TokenBucket(settings.MaxMessagesPerSecond, Math.Max(settings.MaxBatch, settings.MaxMessagesPerSecond / 10.0), time);
    }

    /// <summary>The state the last <see cref="Next"/> decided on.</summary>
    public DrainState State { get; private set; } = DrainState.Draining;

    /// <summary>Messages sent and not yet acknowledged.</summary>
    public int InFlight => _window.Count;

    /// <summary>Messages leased by probes and held for room.</summary>
    public int Held => _held.Count;

    /// <summary>True for the classes that overtake a full window and pacing.</summary>
    public static bool IsUrgent(PriorityClass priority) => priority is PriorityClass.Emergency or PriorityClass.Alert;

    /// <summary>The next step.</summary>
    /// <param name="pendingDeletes">Acknowledged ids not yet deleted from the outbox; while more than a window's worth wait, no backlog is leased.</param>
    public DrainStep Next(int pendingDeletes)
    {
        var now = _time.GetTimestamp();
        var oldest = _window.OldestSentTimestamp();
        if (oldest is { } sent && _time.GetElapsedTime(sent, now) >= _settings.AckTimeout)
        {
            return new DrainStep(DrainAction.ReturnOverdue, Count: _window.Count);
        }

        if (_leasedExpired > 0 && _held.Count == 0 && _window.Count == 0)
        {
            // Expired messages stay leased until released; with nothing in flight that costs no re-sends.
            return new DrainStep(DrainAction.ReturnExpired);
        }

        // Acked messages are out of the window at once, so leasing need not wait for their deletes;
        // but no more than a window's worth may wait to be deleted (their leases would time out).
        var room = _window.Bytes >= _settings.MaxInFlightBytes
            ? 0
            : Math.Min(_settings.MaxInFlight - _window.Count, _settings.MaxInFlight - pendingDeletes);
        var budget = Math.Min(room, _bucket.Available);
        if (_held.Count > 0 && budget > 0)
        {
            var take = WithinByteRoom(_held, Math.Min(budget, _held.Count));
            var next = _held.GetRange(0, take);
            _held.RemoveRange(0, take);
            State = DrainState.Draining;
            return new DrainStep(DrainAction.SendHeld, Count: take, Messages: next);
        }

        var quiet = now < _nextLeaseAt;
        if (_held.Count == 0 && budget > 0 && _mayHaveMore && !quiet)
        {
            State = DrainState.Draining;
            return new DrainStep(DrainAction.Lease, Count: Math.Min(_settings.MaxLease, budget));
        }

        var canProbe = budget <= 0 && _held.Count < _settings.MaxInFlight;
        if (canProbe && _probePending && now >= _nextProbeAt)
        {
            State = room <= 0 ? DrainState.WindowFull : DrainState.Paced;
            return new DrainStep(DrainAction.Probe, Count: 1);
        }

        // Nothing to do until an ack, an outbox signal, a refill, a deadline or the link drops.
        var due = Timeout.InfiniteTimeSpan;
        if (oldest is { } pending)
        {
            due = Min(due, _settings.AckTimeout - _time.GetElapsedTime(pending, now));
        }

        if (room > 0 && budget <= 0 && (_held.Count > 0 || _mayHaveMore))
        {
            var wanted = (int)Math.Clamp(_settings.MaxMessagesPerSecond / 100L, 1, Math.Min(_settings.MaxBatch, room));
            due = Min(due, _bucket.TimeUntilAvailable(wanted));
        }

        if (canProbe && _probePending)
        {
            due = Min(due, _time.GetElapsedTime(now, _nextProbeAt));
        }

        if (quiet && _mayHaveMore)
        {
            due = Min(due, _time.GetElapsedTime(now, _nextLeaseAt));
        }

        State = budget <= 0
            ? (room <= 0 ? DrainState.WindowFull : DrainState.Paced)
            : quiet && _mayHaveMore ? DrainState.Quiet : DrainState.Idle;
        var wantsSignal = !_mayHaveMore || (canProbe && !_probePending);
        return new DrainStep(DrainAction.Wait, Due: due == Timeout.InfiniteTimeSpan || due >= TimeSpan.Zero ? due : TimeSpan.Zero, WantsOutboxSignal: wantsSignal);
    }

    /// <summary>The outbox says there may be something to lease.</summary>
    public void OnOutboxSignal()
    {
        _mayHaveMore = true;
        _probePending = true;
        _signalledSinceLease = true;
    }

    /// <summary>
    /// What a <see cref="DrainAction.Lease"/> or <see cref="DrainAction.Probe"/> returned. Returns the
    /// messages to send now, in order; expired ones are skipped (counted in <paramref name="skippedExpired"/>)
    /// and non-urgent probe results are held.
    /// </summary>
    public IReadOnlyList<OutboxMessage> OnLeased(DrainAction action, IReadOnlyList<OutboxMessage> leased, out int skippedExpired)
    {
        var now = _time.GetTimestamp();
        skippedExpired = 0;
        if (action == DrainAction.Probe)
        {
            _probePending = false;
            if (leased.Count == 0)
            {
                _mayHaveMore = false;
                _nextProbeAt = now + ToTicks(ProbeGap);
                return [];
            }

            if (!IsUrgent(leased[0].Priority))
            {
                _held.AddRange(leased);
                _nextProbeAt = now + ToTicks(ProbeGap);
                return [];
            }

            // Urgent: send it and look again straight away; there may be more behind it.
            _probePending = true;
        }
        else
        {
            _mayHaveMore = leased.Count > 0;
            if (leased.Count > 0)
            {
                _emptyAfterSignal = 0;
                _quietGap = TimeSpan.Zero;
            }
            else if (_signalledSinceLease && ++_emptyAfterSignal >= 2)
            {
                // The first empty lease after a signal is the normal race (the lease before it took the
                // message that signalled); a second one means the signal cannot be satisfied yet.
                _quietGap = _quietGap == TimeSpan.Zero ? ProbeGap : TimeSpan.FromTicks(Math.Min(_quietGap.Ticks * 2, MaxQuietGap.Ticks));
                _nextLeaseAt = now + ToTicks(_quietGap);
            }

            _signalledSinceLease = false;
        }

        var live = SkipExpired(leased, out skippedExpired);
        if (action == DrainAction.Lease)
        {
            // A lease is sized in messages; what goes beyond the byte room waits, held, for acks to make room.
            var fits = WithinByteRoom(live, live.Count);
            if (fits < live.Count)
            {
                _held.AddRange(live.Skip(fits));
                return live.Take(fits).ToList();
            }
        }

        return live;
    }

    /// <summary>
    /// How many of the first <paramref name="count"/> messages fit the byte room left in the window: at least one (so
    /// a message larger than the limit still goes, alone) while fewer than the limit's bytes are in flight, and any
    /// urgent ones at the front.
    /// </summary>
    private int WithinByteRoom(IReadOnlyList<OutboxMessage> messages, int count)
    {
        var room = _settings.MaxInFlightBytes - _window.Bytes;
        var taken = 0;
        long bytes = 0;
        while (taken < count)
        {
            var message = messages[taken];
            bytes += message.Envelope.Length;
            if (bytes > room && taken > 0 && !IsUrgent(message.Priority))
            {
                break;
            }

            taken++;
        }

        return taken;
    }

    /// <summary>
    /// What the urgent lane leased (Emergency and Alert only, sent at once past window and pacing, like an
    /// urgent probe result). Returns the live ones; leaves the backlog's lease state alone.
    /// </summary>
    public IReadOnlyList<OutboxMessage> OnUrgentLeased(IReadOnlyList<OutboxMessage> leased, out int skippedExpired) =>
        SkipExpired(leased, out skippedExpired);

    private IReadOnlyList<OutboxMessage> SkipExpired(IReadOnlyList<OutboxMessage> leased, out int skippedExpired)
    {
        skippedExpired = 0;
        var utcNow = _time.GetUtcNow();
        List<OutboxMessage>? live = null;
        for (var i = 0; i < leased.Count; i++)
        {
            if (EnvelopePolicy.IsExpiredAt(leased[i].ExpiresAt, utcNow))
            {
                if (live is null)
                {
                    live = new List<OutboxMessage>(leased.Count);
                    for (var j = 0; j < i; j++)
                    {
                        live.Add(leased[j]);
                    }
                }

                skippedExpired++;
            }
            else
            {
                live?.Add(leased[i]);
            }
        }

        _leasedExpired += skippedExpired;
        return live ?? leased;
    }

    /// <summary>Envelope bytes sent and not yet acknowledged.</summary>
    public long InFlightBytes => _window.Bytes;

    /// <summary>A batch of <paramref name="bytes"/> envelope bytes was handed to the bearer: it enters the window and takes pacing tokens (into debt if urgent).</summary>
    public void OnSent(IReadOnlyList<string> messageIds, long bytes)
    {
        _window.Add(messageIds, bytes, _time.GetTimestamp());
        _bucket.Take(messageIds.Count);
    }

    /// <summary>FleetControl acknowledged these ids: they leave the window now, before they are deleted. Returns how many were in flight.</summary>
    public int OnAcknowledged(IEnumerable<string> messageIds) => _window.Acknowledge(messageIds);

    /// <summary>
    /// Forgets the window, the held messages and the expired leases: the caller returns every lease to
    /// the outbox. Returns how many sent messages were still unacknowledged.
    /// </summary>
    public int ReturnAll()
    {
        var inFlight = _window.Clear();
        _held.Clear();
        _leasedExpired = 0;
        _mayHaveMore = true;
        _probePending = true;
        return inFlight;
    }

    private long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    private static TimeSpan Min(TimeSpan current, TimeSpan candidate) =>
        current == Timeout.InfiniteTimeSpan || candidate < current ? candidate : current;
}
