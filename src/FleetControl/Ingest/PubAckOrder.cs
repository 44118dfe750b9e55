namespace FleetControl.Ingest;

/// <summary>
/// The batches the ingest writer has read and not yet PUBACKed, in the order their PUBLISHes arrived on each MQTT
/// connection. Both of the writer's lanes commit out of that order (the urgent lane ahead of the backlog); the
/// PUBACKs still go to the broker in each connection's arrival order (MQTT 5 [MQTT-4.6.0-2]): a lane that has
/// committed sends the PUBACKs of every connection's committed prefix, one sender at a time. Holds at most
/// <c>capacity</c> batches, so a slow store slows the reading.
/// </summary>
internal sealed class PubAckOrder(int capacity)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Queue<Entry>> _pending = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _room = new(capacity, capacity);
    private readonly SemaphoreSlim _sender = new(1, 1);

    /// <summary>Batches read and not yet PUBACKed.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _pending.Values.Sum(q => q.Count);
            }
        }
    }

    /// <summary>Appends a batch that has just been read (waits while <c>capacity</c> are waiting).</summary>
    public async ValueTask<Entry> AddAsync(IngestBatch batch, CancellationToken cancellationToken)
    {
        await _room.WaitAsync(cancellationToken).ConfigureAwait(false);
        var entry = new Entry(batch);
        lock (_lock)
        {
            if (!_pending.TryGetValue(batch.Connection, out var arrived))
            {
                _pending[batch.Connection] = arrived = new Queue<Entry>();
            }

            arrived.Enqueue(entry);
        }

        return entry;
    }

    /// <summary>
    /// Marks <paramref name="committed"/> as committed, then PUBACKs (through <paramref name="pubAck"/>) every
    /// committed batch at the head of each connection's arrival order, in that order.
    /// </summary>
    public async Task CommittedAsync(IReadOnlyList<Entry> committed, Func<IngestBatch, CancellationToken, Task> pubAck, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            foreach (var entry in committed)
            {
                entry.Committed = true;
            }
        }

        // Whoever sends last sees every entry marked before it took the sender: none is left behind.
        await _sender.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (NextCommitted() is { } next)
            {
                _room.Release();
                await pubAck(next.Batch, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _sender.Release();
        }
    }

    /// <summary>Takes a committed batch at the head of some connection's arrival order, if there is one.</summary>
    private Entry? NextCommitted()
    {
        lock (_lock)
        {
            foreach (var arrived in _pending.Values)
            {
                if (arrived.TryPeek(out var head) && head.Committed)
                {
                    return arrived.Dequeue();
                }
            }

            return null;
        }
    }

    /// <summary>One batch in arrival order.</summary>
    internal sealed class Entry(IngestBatch batch)
    {
        /// <summary>The batch.</summary>
        public IngestBatch Batch { get; } = batch;

        /// <summary>True once its envelopes are committed (read and written under the order's lock).</summary>
        public bool Committed { get; set; }
    }
}
