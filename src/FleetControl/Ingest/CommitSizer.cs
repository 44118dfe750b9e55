namespace FleetControl.Ingest;

/// <summary>
/// Decides how many envelopes the ingest writer may put into its next commit, so that a commit lasts
/// about <c>FleetControl:CommitDurationTarget</c>. An Emergency that arrives during a commit waits for
/// it to end; a fixed envelope count cannot bound that wait, because what one envelope costs to store
/// differs tenfold between a quiet and a busy machine (measured 35 µs and 330 µs).
/// </summary>
/// <remarks>
/// Pure and single-threaded (the writer's loop). Starts at <see cref="MinEnvelopes"/>; after each commit
/// that was cut by the limit and ended within the target the limit grows by a quarter (up to
/// <c>FleetControl:MaxEnvelopesPerCommit</c>); after a commit that overran the target it is scaled down
/// in proportion to the overrun, never below <see cref="MinEnvelopes"/>. The floor keeps throughput when
/// one fsync alone takes longer than the target: smaller commits would then cost more fsyncs without
/// making the wait shorter.
/// For <see cref="UrgentHold"/> after an urgent batch (Emergency, Alert) arrives, the limit is held at the
/// floor whatever it has grown to. The urgent lane's commit no longer waits for a backlog commit's inserts,
/// but on ext4 its fsync still waits for a backlog fsync already running, whose cost follows its size:
/// measured under backlog without the hold, backlog commits grew to ~1,200 envelopes and an Emergency's own
/// commit took twice as long. Urgent messages come in bursts (a button held, a collision and its follow-ups).
/// Sized and learnt on the backlog lane's thread; <see cref="OnUrgentArrived"/> may come from another.
/// </remarks>
internal sealed class CommitSizer
{
    /// <summary>Fewest envelopes a commit is limited to (a whole batch is never split, so one may hold more).</summary>
    public const int MinEnvelopes = 250;

    /// <summary>How long after an urgent batch arrives commits stay at the floor.</summary>
    public static readonly TimeSpan UrgentHold = TimeSpan.FromSeconds(1);

    private readonly TimeSpan _target;
    private readonly int _max;
    private readonly int _floor;
    private readonly TimeProvider _time;
    private int _limit;
    private long _urgentAt; // timestamp of the last urgent batch, 0 before any (written by the reader, read by the lane)

    /// <param name="target">How long one commit should last.</param>
    /// <param name="maxEnvelopes">Upper bound of the limit.</param>
    /// <param name="time">Clock for <see cref="UrgentHold"/> (the system clock when null).</param>
    public CommitSizer(TimeSpan target, int maxEnvelopes, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(target, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEnvelopes, 1);
        _target = target;
        _max = maxEnvelopes;
        _floor = Math.Min(MinEnvelopes, maxEnvelopes);
        _time = time ?? TimeProvider.System;
        _limit = _floor;
    }

    /// <summary>Most envelopes for the next commit (batches are added while the count is below it).</summary>
    public int Limit => Volatile.Read(ref _urgentAt) is var at && at != 0 && _time.GetElapsedTime(at) < UrgentHold ? _floor : _limit;

    /// <summary>What the limit has learnt from commit durations, ignoring <see cref="UrgentHold"/>.</summary>
    public int LearntLimit => _limit;

    /// <summary>An urgent batch arrived: commits stay at the floor for <see cref="UrgentHold"/>.</summary>
    public void OnUrgentArrived() => Volatile.Write(ref _urgentAt, Math.Max(1, _time.GetTimestamp()));

    /// <summary>A commit of <paramref name="envelopes"/> took <paramref name="duration"/>.</summary>
    public void OnCommitted(int envelopes, TimeSpan duration)
    {
        if (duration > _target)
        {
            var scaled = (int)Math.Min(int.MaxValue, envelopes * (_target / duration));
            _limit = Math.Clamp(scaled, _floor, _limit);
        }
        else if (envelopes >= _limit)
        {
            _limit = (int)Math.Min(_max, _limit + (_limit / 4L) + 1);
        }
    }
}
