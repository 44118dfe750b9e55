namespace FleetControl.Ingest;

/// <summary>Ingest counters since start-up (thread-safe); served by GET /api/stats.</summary>
internal sealed class IngestStats
{
    private long _envelopesStored;
    private long _duplicates;
    private long _rejectedEnvelopes;
    private long _rejectedPayloads;
    private long _acksSent;
    private long _ackFailures;
    private long _commits;
    private long _statusUpdates;

    public long EnvelopesStored => Interlocked.Read(ref _envelopesStored);
    public long Duplicates => Interlocked.Read(ref _duplicates);
    public long RejectedEnvelopes => Interlocked.Read(ref _rejectedEnvelopes);
    public long RejectedPayloads => Interlocked.Read(ref _rejectedPayloads);
    public long AcksSent => Interlocked.Read(ref _acksSent);
    public long AckFailures => Interlocked.Read(ref _ackFailures);
    public long Commits => Interlocked.Read(ref _commits);
    public long StatusUpdates => Interlocked.Read(ref _statusUpdates);

    public void OnCommitted(int stored, int duplicates)
    {
        Interlocked.Add(ref _envelopesStored, stored);
        Interlocked.Add(ref _duplicates, duplicates);
        Interlocked.Increment(ref _commits);
    }

    public void OnRejectedEnvelope() => Interlocked.Increment(ref _rejectedEnvelopes);
    public void OnRejectedPayload() => Interlocked.Increment(ref _rejectedPayloads);
    public void OnAckSent() => Interlocked.Increment(ref _acksSent);
    public void OnAckFailed() => Interlocked.Increment(ref _ackFailures);
    public void OnStatus() => Interlocked.Increment(ref _statusUpdates);
}
