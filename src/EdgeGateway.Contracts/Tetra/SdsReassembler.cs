namespace EdgeGateway.Contracts.Tetra;

/// <summary>
/// Puts the segments of compact envelopes (<see cref="SdsCompactEnvelope"/>) back together on the receiving side,
/// per calling terminal, key and count, in any order. The rule for a lost segment: nothing partial is ever stored.
/// A partial envelope is kept for <see cref="Timeout"/> after its latest segment, and at most
/// <see cref="MaxPartialPerTerminal"/> per terminal (the oldest goes first); then it is dropped and counted
/// (<see cref="Expired"/>). The sender sees no "consumed" report for its last segment, so its outbox copy stays and
/// is sent again, whole, after its ack timeout (or over LTE when that is back); a segment that arrives again just
/// fills its slot again. A slot that receives different bytes starts the assembly over (another message with the
/// same 16-bit key). Thread-safe.
/// </summary>
public sealed class SdsReassembler
{
    /// <summary>Most partial envelopes kept per terminal.</summary>
    public const int MaxPartialPerTerminal = 8;

    private readonly Dictionary<(string Calling, ushort Key, int Count), Partial> _partial = [];
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private long _expired;

    /// <param name="timeout">How long a partial envelope waits for its missing segments after the latest one came.</param>
    /// <param name="time">The clock of the timeout.</param>
    public SdsReassembler(TimeSpan timeout, TimeProvider time)
    {
        Timeout = timeout;
        _time = time;
    }

    /// <summary>How long a partial envelope waits for its missing segments.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Partial envelopes dropped (timed out, evicted, started over).</summary>
    public long Expired => Interlocked.Read(ref _expired);

    /// <summary>Partial envelopes held now.</summary>
    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _partial.Count;
            }
        }
    }

    /// <summary>
    /// Adds one segment from <paramref name="calling"/>; returns the whole compact payload when this segment completed
    /// it (and forgets it), else null. False for user data that is not a compact segment.
    /// </summary>
    public bool TryAdd(string calling, ReadOnlyMemory<byte> userData, out byte[]? payload, out ushort key)
    {
        payload = null;
        if (!SdsCompactEnvelope.TryReadSegment(userData, out var index, out var count, out key, out var data))
        {
            return false;
        }

        var now = _time.GetUtcNow();
        lock (_gate)
        {
            ExpireOld(now);
            var id = (calling, key, count);
            if (!_partial.TryGetValue(id, out var partial))
            {
                EvictOldestOf(calling);
                partial = new Partial(count);
                _partial[id] = partial;
            }

            if (partial.Segments[index] is { } had && !had.AsSpan().SequenceEqual(data.Span))
            {
                Interlocked.Increment(ref _expired);
                partial = new Partial(count);
                _partial[id] = partial;
            }

            partial.Segments[index] = data.ToArray();
            partial.LatestAt = now;
            if (partial.Segments.Any(s => s is null))
            {
                return true;
            }

            _partial.Remove(id);
            payload = [.. partial.Segments.SelectMany(s => s!)];
            return true;
        }
    }

    private void ExpireOld(DateTimeOffset now)
    {
        foreach (var (id, partial) in _partial.ToArray())
        {
            if (now - partial.LatestAt >= Timeout)
            {
                _partial.Remove(id);
                Interlocked.Increment(ref _expired);
            }
        }
    }

    private void EvictOldestOf(string calling)
    {
        var mine = _partial.Where(p => p.Key.Calling == calling).OrderBy(p => p.Value.LatestAt).ToList();
        for (var i = 0; i <= mine.Count - MaxPartialPerTerminal; i++)
        {
            _partial.Remove(mine[i].Key);
            Interlocked.Increment(ref _expired);
        }
    }

    private sealed class Partial(int count)
    {
        public byte[]?[] Segments { get; } = new byte[count][];

        public DateTimeOffset LatestAt { get; set; }
    }
}
