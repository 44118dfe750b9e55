namespace EdgeGateway.Uplink.Drain;

/// <summary>
/// Messages published but not yet acknowledged by FleetControl, by batch in send order, so the
/// uplink can bound the pipeline and find the oldest batch whose acknowledgement is overdue.
/// Owned by one <see cref="DrainScheduler"/> (one connection); the lock only keeps <see cref="Count"/> safe to read from elsewhere.
/// </summary>
internal sealed class InFlightWindow
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Batch> _byId = new(StringComparer.Ordinal);
    private readonly Queue<Batch> _batches = new();
    private long _bytes;

    /// <summary>Messages published and not yet acknowledged.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _byId.Count;
            }
        }
    }

    /// <summary>Envelope bytes of the batches not yet fully acknowledged.</summary>
    public long Bytes
    {
        get
        {
            lock (_gate)
            {
                return _bytes;
            }
        }
    }

    /// <summary>Records one published batch of <paramref name="bytes"/> envelope bytes.</summary>
    public void Add(IReadOnlyList<string> messageIds, long bytes, long sentTimestamp)
    {
        lock (_gate)
        {
            var batch = new Batch(sentTimestamp, bytes);
            foreach (var id in messageIds)
            {
                if (_byId.TryAdd(id, batch))
                {
                    batch.Remaining++;
                }
            }

            if (batch.Remaining > 0)
            {
                _batches.Enqueue(batch);
                _bytes += bytes;
            }
        }
    }

    /// <summary>Removes acknowledged ids; returns how many were in flight.</summary>
    public int Acknowledge(IEnumerable<string> messageIds)
    {
        lock (_gate)
        {
            var removed = 0;
            foreach (var id in messageIds)
            {
                if (_byId.Remove(id, out var batch))
                {
                    removed++;
                    if (--batch.Remaining == 0)
                    {
                        _bytes -= batch.Bytes;
                    }
                }
            }

            while (_batches.TryPeek(out var oldest) && oldest.Remaining == 0)
            {
                _batches.Dequeue();
            }

            return removed;
        }
    }

    /// <summary>The send timestamp of the oldest batch still waiting for an acknowledgement, if any.</summary>
    public long? OldestSentTimestamp()
    {
        lock (_gate)
        {
            return _batches.TryPeek(out var oldest) ? oldest.SentTimestamp : null;
        }
    }

    /// <summary>Forgets everything (the leases were returned to the outbox); returns how many were in flight.</summary>
    public int Clear()
    {
        lock (_gate)
        {
            var count = _byId.Count;
            _byId.Clear();
            _batches.Clear();
            _bytes = 0;
            return count;
        }
    }

    private sealed class Batch(long sentTimestamp, long bytes)
    {
        public long SentTimestamp { get; } = sentTimestamp;

        public long Bytes { get; } = bytes;

        public int Remaining { get; set; }
    }
}
