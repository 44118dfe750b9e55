namespace EdgeGateway.Uplink.Tetra;

/// <summary>What the TETRA bearer carried (health counters <c>tetra.uplink.*</c>).</summary>
internal sealed class TetraUplinkCounters
{
    private long _envelopes;
    private long _positions;
    private long _declined;
    private long _notStored;
    private long _runs;
    private long _copies;
    private long _copiesNotSent;

    /// <summary>Envelopes FleetControl reported stored over TETRA (acknowledged in the outbox).</summary>
    public long EnvelopesStored => Interlocked.Read(ref _envelopes);

    /// <summary>Positions FleetControl reported stored as LIP (acknowledged in the outbox).</summary>
    public long PositionsStored => Interlocked.Read(ref _positions);

    /// <summary>Messages the bearer could not carry (too large, thinned to the LIP rate): they wait for LTE.</summary>
    public long DeclinedCount => Interlocked.Read(ref _declined);

    /// <summary>Sends without a "stored" report (refused, no report): re-sent later.</summary>
    public long NotStoredCount => Interlocked.Read(ref _notStored);

    /// <summary>Times the drain moved onto TETRA (LTE lost while the terminal was registered).</summary>
    public long Failovers => Interlocked.Read(ref _runs);

    /// <summary>Copies of <c>Always</c>-routed messages (Emergency) sent over TETRA while the IP link was up.</summary>
    public long CopiesSent => Interlocked.Read(ref _copies);

    /// <summary>Copies that could not go (too large, refused); their outbox copies still went over IP.</summary>
    public long CopiesNotSent => Interlocked.Read(ref _copiesNotSent);

    public void CopySent() => Interlocked.Increment(ref _copies);

    public void CopyNotSent() => Interlocked.Increment(ref _copiesNotSent);

    public void Stored(bool position)
    {
        if (position)
        {
            Interlocked.Increment(ref _positions);
        }
        else
        {
            Interlocked.Increment(ref _envelopes);
        }
    }

    public void Declined() => Interlocked.Increment(ref _declined);

    public void NotStored() => Interlocked.Increment(ref _notStored);

    public void Failover() => Interlocked.Increment(ref _runs);
}
