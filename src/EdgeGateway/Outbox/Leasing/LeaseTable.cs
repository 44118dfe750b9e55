namespace EdgeGateway.Outbox.Leasing;

/// <summary>
/// The messages handed to the uplink and not yet acknowledged: who holds what, per class, and
/// when the earliest lease times out. Keyed by the 128-bit message id.
/// </summary>
/// <remarks>Not thread-safe: used with the owning outbox's lock held.</remarks>
internal sealed class LeaseTable
{
    private readonly Dictionary<UInt128, OutboxLease> _leases = [];
    private readonly int[] _leasedCount = new int[OutboxClassDefaults.All.Length];

    /// <summary>Messages leased now.</summary>
    public int Count => _leases.Count;

    /// <summary>Unix ms of the earliest lease deadline (<see cref="long.MaxValue"/> when none).</summary>
    public long EarliestDeadlineMs { get; private set; } = long.MaxValue;

    /// <summary>Messages of one class leased now.</summary>
    public int LeasedIn(int classIndex) => _leasedCount[classIndex];

    /// <summary>True if the message is leased now.</summary>
    public bool Contains(UInt128 key) => _leases.ContainsKey(key);

    /// <summary>Per class: stored minus leased, i.e. what a lease could still hand out.</summary>
    public long[] Available(IReadOnlyList<long> stored)
    {
        var available = new long[_leasedCount.Length];
        for (var c = 0; c < available.Length; c++)
        {
            available[c] = stored[c] - _leasedCount[c];
        }

        return available;
    }

    /// <summary>True if any class has a stored message that is not leased.</summary>
    public bool AnyAvailable(IReadOnlyList<long> stored)
    {
        for (var c = 0; c < _leasedCount.Length; c++)
        {
            if (stored[c] - _leasedCount[c] > 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Records a lease until <paramref name="deadlineMs"/>.</summary>
    public void Add(UInt128 key, int classIndex, long deadlineMs, long size)
    {
        _leases[key] = new OutboxLease(classIndex, deadlineMs, size);
        _leasedCount[classIndex]++;
        EarliestDeadlineMs = Math.Min(EarliestDeadlineMs, deadlineMs);
    }

    /// <summary>Ends one lease (acknowledged); false if the message was not leased.</summary>
    public bool TryRemove(UInt128 key, out OutboxLease lease)
    {
        if (!_leases.Remove(key, out lease))
        {
            return false;
        }

        _leasedCount[lease.ClassIndex]--;
        return true;
    }

    /// <summary>
    /// Ends every lease whose deadline has passed, so those messages can be leased again;
    /// <paramref name="onExpired"/> hears each. Cheap when nothing is due.
    /// </summary>
    public void ExpireDue(long nowMs, Action<UInt128, OutboxLease> onExpired)
    {
        if (nowMs < EarliestDeadlineMs)
        {
            return;
        }

        var earliest = long.MaxValue;
        foreach (var (key, lease) in _leases.ToList())
        {
            if (lease.DeadlineMs <= nowMs)
            {
                _leases.Remove(key);
                _leasedCount[lease.ClassIndex]--;
                onExpired(key, lease);
            }
            else
            {
                earliest = Math.Min(earliest, lease.DeadlineMs);
            }
        }

        EarliestDeadlineMs = earliest;
    }

    /// <summary>Ends every lease (the link dropped, or the store was replaced).</summary>
    public void Clear()
    {
        _leases.Clear();
        Array.Clear(_leasedCount);
        EarliestDeadlineMs = long.MaxValue;
    }
}
