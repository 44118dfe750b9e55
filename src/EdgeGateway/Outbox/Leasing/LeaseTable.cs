namespace EdgeGateway.Outbox.Leasing;

/// <summary>
/// The messages handed to the uplink and not yet deleted: who holds what, per class, and when
/// the earliest lease times out. An acknowledged message can stay here until it is deleted
/// ("delete behind": <see cref="TryAcknowledge"/>, <see cref="PendingDeletes"/>,
/// <see cref="CompleteDeletes"/>), so leasing, thinning and the sweep keep skipping it. Keyed by the 128-bit message id.
/// </summary>
/// <remarks>Not thread-safe: used with the owning outbox's lock held.</remarks>
internal sealed class LeaseTable
{
    private readonly Dictionary<UInt128, OutboxLease> _leases = [];
    private readonly int[] _leasedCount = new int[OutboxClassDefaults.All.Length];
    private readonly List<UInt128> _acknowledged = [];
    private readonly long[] _acknowledgedBytes = new long[OutboxClassDefaults.All.Length];

    /// <summary>Messages leased now (including acknowledged ones not yet deleted).</summary>
    public int Count => _leases.Count;

    /// <summary>Acknowledged messages waiting to be deleted.</summary>
    public int PendingDeleteCount => _acknowledged.Count;

    /// <summary>Unix ms of the earliest lease deadline (<see cref="long.MaxValue"/> when none).</summary>
    public long EarliestDeadlineMs { get; private set; } = long.MaxValue;

    /// <summary>Bytes of one class acknowledged but not yet deleted: free as far as the quota is concerned.</summary>
    public long AcknowledgedBytes(int classIndex) => _acknowledgedBytes[classIndex];

    /// <summary>Messages of one class leased now (including acknowledged ones not yet deleted).</summary>
    public int LeasedIn(int classIndex) => _leasedCount[classIndex];

    /// <summary>True if the message is leased now or acknowledged and not yet deleted.</summary>
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
    /// Marks a leased message acknowledged: it is never leased again and waits in
    /// <see cref="PendingDeletes"/>. False if it was not leased (or already acknowledged).
    /// </summary>
    public bool TryAcknowledge(UInt128 key)
    {
        if (!_leases.TryGetValue(key, out var lease) || lease.Acknowledged)
        {
            return false;
        }

        _leases[key] = lease with { DeadlineMs = long.MaxValue, Acknowledged = true };
        _acknowledged.Add(key);
        _acknowledgedBytes[lease.ClassIndex] += lease.Size;
        return true;
    }

    /// <summary>Adds an acknowledged message this process had not leased (a late ack, or one from before a restart).</summary>
    public void AddAcknowledged(UInt128 key, int classIndex, long size)
    {
        if (_leases.TryAdd(key, new OutboxLease(classIndex, long.MaxValue, size, Acknowledged: true)))
        {
            _leasedCount[classIndex]++;
            _acknowledged.Add(key);
            _acknowledgedBytes[classIndex] += size;
        }
    }

    /// <summary>Up to <paramref name="max"/> acknowledged messages to delete next, in id order.</summary>
    public List<(UInt128 Key, OutboxLease Lease)> PendingDeletes(int max)
    {
        var count = Math.Min(max, _acknowledged.Count);
        var result = new List<(UInt128, OutboxLease)>(count);
        for (var i = 0; i < count; i++)
        {
            result.Add((_acknowledged[i], _leases[_acknowledged[i]]));
        }

        // Deleting in key order walks the primary index forwards instead of seeking about.
        result.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return result;
    }

    /// <summary>
    /// Forgets the first <paramref name="done"/> messages of <paramref name="batch"/> (committed deletes);
    /// the rest of the batch stays pending. <paramref name="batch"/> is what <see cref="PendingDeletes"/> returned.
    /// </summary>
    public void CompleteDeletes(List<(UInt128 Key, OutboxLease Lease)> batch, int done)
    {
        for (var i = 0; i < done; i++)
        {
            if (_leases.Remove(batch[i].Key, out var lease))
            {
                _leasedCount[lease.ClassIndex]--;
                _acknowledgedBytes[lease.ClassIndex] -= lease.Size;
            }
        }

        // PendingDeletes took the first batch.Count entries (then sorted them): put back the ones not deleted.
        _acknowledged.RemoveRange(0, batch.Count);
        if (done < batch.Count)
        {
            _acknowledged.InsertRange(0, batch.Skip(done).Select(b => b.Key));
        }
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
            if (lease.DeadlineMs <= nowMs && !lease.Acknowledged)
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

    /// <summary>Ends every lease (the link dropped); acknowledged messages still wait for their delete.</summary>
    public void ReleaseAll()
    {
        if (_acknowledged.Count == 0)
        {
            Clear();
            return;
        }

        foreach (var (key, lease) in _leases.ToList())
        {
            if (!lease.Acknowledged)
            {
                _leases.Remove(key);
                _leasedCount[lease.ClassIndex]--;
            }
        }

        EarliestDeadlineMs = long.MaxValue;
    }

    /// <summary>Forgets everything, acknowledged messages included (the store was replaced).</summary>
    public void Clear()
    {
        _leases.Clear();
        _acknowledged.Clear();
        Array.Clear(_acknowledgedBytes);
        Array.Clear(_leasedCount);
        EarliestDeadlineMs = long.MaxValue;
    }
}
