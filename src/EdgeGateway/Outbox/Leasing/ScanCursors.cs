namespace EdgeGateway.Outbox.Leasing;

/// <summary>
/// Per class, where the lease scans may start instead of re-walking messages they have already passed:
/// <list type="bullet">
/// <item>the ascending (history) scan: the last id it passed; everything at or below it is leased,
/// expired or gone;</item>
/// <item>the descending live-first scan (Telemetry): the interval [<see cref="LiveLow"/>, <see cref="LiveHigh"/>]
/// it has passed; everything in it is leased, expired or gone, so the next live scan looks only
/// above it (newer arrivals, newest first) and then below it.</item>
/// </list>
/// Reset whenever that stops being true (release, lease timeout, late commit, failed write).
/// </summary>
/// <remarks>
/// Without the live interval, every lease walked down over the newest messages, which are the ones
/// in flight: with a window of thousands that was most of the lease's cost (measured: 8 documents
/// read per message leased during a 100k drain). Not thread-safe: used with the outbox lock held.
/// </remarks>
internal sealed class ScanCursors
{
    private readonly byte[]?[] _cursors = new byte[]?[OutboxClassDefaults.All.Length];
    private readonly byte[]?[] _liveHigh = new byte[]?[OutboxClassDefaults.All.Length];
    private readonly byte[]?[] _liveLow = new byte[]?[OutboxClassDefaults.All.Length];

    /// <summary>The ascending cursor of one class (null: scan from the head).</summary>
    public byte[]? this[int classIndex]
    {
        get => _cursors[classIndex];
        set => _cursors[classIndex] = value;
    }

    /// <summary>Highest id of the passed live interval of one class (null: none passed).</summary>
    public byte[]? LiveHigh(int classIndex) => _liveHigh[classIndex];

    /// <summary>Lowest id of the passed live interval of one class (null: none passed).</summary>
    public byte[]? LiveLow(int classIndex) => _liveLow[classIndex];

    /// <summary>Sets the passed live interval of one class (both null: none).</summary>
    public void SetLive(int classIndex, byte[]? low, byte[]? high)
    {
        _liveLow[classIndex] = low;
        _liveHigh[classIndex] = high;
    }

    /// <summary>A message committed at or behind a cursor must not be skipped: restart that class's scans.</summary>
    public void ResetIfPassed(int classIndex, byte[] id)
    {
        if (_cursors[classIndex] is { } cursor && id.AsSpan().SequenceCompareTo(cursor) <= 0)
        {
            _cursors[classIndex] = null;
        }

        if (_liveHigh[classIndex] is { } high && id.AsSpan().SequenceCompareTo(high) <= 0)
        {
            SetLive(classIndex, null, null);
        }
    }

    /// <summary>Restarts both scans of one class from the start (e.g. one of its leases timed out).</summary>
    public void Reset(int classIndex)
    {
        _cursors[classIndex] = null;
        SetLive(classIndex, null, null);
    }

    /// <summary>Restarts every class's scans from the start.</summary>
    public void Reset()
    {
        Array.Clear(_cursors);
        Array.Clear(_liveHigh);
        Array.Clear(_liveLow);
    }
}
