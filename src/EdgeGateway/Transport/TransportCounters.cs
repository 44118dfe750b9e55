namespace EdgeGateway.Transport;

/// <summary>Connection statistics of one device transport; updated by the reconnect loop, read by health.</summary>
internal sealed class TransportCounters
{
    private long _connects;
    private long _connectFailures;
    private long _disconnects;
    private long _idleTimeouts;
    private long _bytes;

    public long Connects => Interlocked.Read(ref _connects);

    public long ConnectFailures => Interlocked.Read(ref _connectFailures);

    /// <summary>Connections that ended by end-of-stream or a read error.</summary>
    public long Disconnects => Interlocked.Read(ref _disconnects);

    /// <summary>Connections dropped because the device went silent.</summary>
    public long IdleTimeouts => Interlocked.Read(ref _idleTimeouts);

    public long Bytes => Interlocked.Read(ref _bytes);

    public void CountConnect() => Interlocked.Increment(ref _connects);

    public void CountConnectFailure() => Interlocked.Increment(ref _connectFailures);

    public void CountDisconnect() => Interlocked.Increment(ref _disconnects);

    public void CountIdleTimeout() => Interlocked.Increment(ref _idleTimeouts);

    public void CountBytes(long count) => Interlocked.Add(ref _bytes, count);
}
