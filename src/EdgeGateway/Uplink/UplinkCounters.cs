namespace EdgeGateway.Uplink;

/// <summary>What the uplink has done since start, for the health report and tests. Thread-safe.</summary>
internal sealed class UplinkCounters
{
    private long _publishedMessages;
    private long _publishedBatches;
    private long _acknowledged;
    private long _publishFailures;
    private long _ackTimeouts;
    private long _reconnects;
    private long _skippedExpired;
    private long _lastConnectedUnixMs;

    public long PublishedMessages => Interlocked.Read(ref _publishedMessages);

    public long PublishedBatches => Interlocked.Read(ref _publishedBatches);

    /// <summary>Message ids received in DeliveryAcks (duplicates included).</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    public long PublishFailures => Interlocked.Read(ref _publishFailures);

    public long AckTimeouts => Interlocked.Read(ref _ackTimeouts);

    /// <summary>Successful connects after the first.</summary>
    public long Reconnects => Interlocked.Read(ref _reconnects);

    /// <summary>Leased messages not published because they expired before their turn.</summary>
    public long SkippedExpired => Interlocked.Read(ref _skippedExpired);

    public DateTimeOffset? LastConnectedAt
    {
        get
        {
            var ms = Interlocked.Read(ref _lastConnectedUnixMs);
            return ms == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(ms);
        }
    }

    public void Published(int messages)
    {
        Interlocked.Add(ref _publishedMessages, messages);
        Interlocked.Increment(ref _publishedBatches);
    }

    public void Acked(int messages) => Interlocked.Add(ref _acknowledged, messages);

    public void PublishFailed() => Interlocked.Increment(ref _publishFailures);

    public void AckTimedOut() => Interlocked.Increment(ref _ackTimeouts);

    public void Expired(int messages) => Interlocked.Add(ref _skippedExpired, messages);

    public void Connected(DateTimeOffset at, bool isReconnect)
    {
        Interlocked.Exchange(ref _lastConnectedUnixMs, at.ToUnixTimeMilliseconds());
        if (isReconnect)
        {
            Interlocked.Increment(ref _reconnects);
        }
    }
}
