namespace FleetControl.Tetra;

/// <summary>What the TETRA gateway received, stored and refused. Thread-safe.</summary>
internal sealed class TetraGatewayStats
{
    private long _received;
    private long _stored;
    private long _refused;
    private long _ignored;

    private long _positions;
    private long _segments;
    private long _compact;

    /// <summary>Compact envelope segments held until their envelope is whole.</summary>
    public long Segments => Interlocked.Read(ref _segments);

    /// <summary>Compact envelopes put together and decoded.</summary>
    public long Compact => Interlocked.Read(ref _compact);

    public void OnSegment() => Interlocked.Increment(ref _segments);

    public void OnCompact() => Interlocked.Increment(ref _compact);
    private long _statuses;

    /// <summary>LIP positions stored.</summary>
    public long Positions => Interlocked.Read(ref _positions);

    /// <summary>Status SDS stored as events.</summary>
    public long Statuses => Interlocked.Read(ref _statuses);

    public void OnPosition() => Interlocked.Increment(ref _positions);

    public void OnStatus() => Interlocked.Increment(ref _statuses);

    /// <summary>SDS lines read from the network link.</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>Envelopes committed and reported consumed.</summary>
    public long Stored => Interlocked.Read(ref _stored);

    /// <summary>Envelopes refused (unknown terminal, wrong device, invalid) and malformed lines.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>SDS for other ISSIs or other protocols.</summary>
    public long Ignored => Interlocked.Read(ref _ignored);

    public void OnReceived() => Interlocked.Increment(ref _received);

    public void OnStored() => Interlocked.Increment(ref _stored);

    public void OnRefused() => Interlocked.Increment(ref _refused);

    public void OnIgnored() => Interlocked.Increment(ref _ignored);
}
