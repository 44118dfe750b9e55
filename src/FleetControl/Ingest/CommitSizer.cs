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
/// It sizes the ingest writer's backlog lane only: urgent batches (Emergency, Alert) are committed by a lane
/// of their own and do not wait for a backlog commit to end (see <see cref="IngestWriter"/>), so the limit is
/// no longer held down after an urgent batch arrives (it was, for a second, before the urgent lane).
/// </remarks>
internal sealed class CommitSizer
{
    /// <summary>Fewest envelopes a commit is limited to (a whole batch is never split, so one may hold more).</summary>
    public const int MinEnvelopes = 250;

    private readonly TimeSpan _target;
    private readonly int _max;
    private readonly int _floor;
    private int _limit;

    /// <param name="target">How long one commit should last.</param>
    /// <param name="maxEnvelopes">Upper bound of the limit.</param>
    public CommitSizer(TimeSpan target, int maxEnvelopes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(target, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEnvelopes, 1);
        _target = target;
        _max = maxEnvelopes;
        _floor = Math.Min(MinEnvelopes, maxEnvelopes);
        _limit = _floor;
    }

    /// <summary>Most envelopes for the next commit (batches are added while the count is below it).</summary>
    public int Limit => _limit;

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
