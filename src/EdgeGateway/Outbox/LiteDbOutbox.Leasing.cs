using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using LiteDB;

namespace EdgeGateway.Outbox;

/// <summary>Leasing, acknowledging and releasing (see <see cref="LeaseScheduler"/> for the class mix).</summary>
internal sealed partial class LiteDbOutbox
{
    private readonly Dictionary<UInt128, OutboxLease> _leases = [];
    private readonly int[] _leasedCount = new int[OutboxClassDefaults.All.Length];

    // Per class: the last id the ascending scan has passed. Everything at or below it is leased,
    // expired or gone, so the next lease starts after it instead of re-walking in-flight messages.
    // Reset whenever that stops being true (release, lease timeout, late commit, failed write).
    private readonly byte[]?[] _cursors = new byte[]?[OutboxClassDefaults.All.Length];
    private long _earliestLeaseDeadlineMs = long.MaxValue;

    public ValueTask<IReadOnlyList<OutboxMessage>> LeaseAsync(int maxCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            try
            {
                return new ValueTask<IReadOnlyList<OutboxMessage>>(LeaseLocked(maxCount));
            }
            catch (IOException ex)
            {
                // Transient (disk busy or full): nothing to send now, the uplink asks again later.
                Log.ReadFailed(_logger, ex);
                Array.Clear(_cursors);
                return new ValueTask<IReadOnlyList<OutboxMessage>>([]);
            }
            catch (Exception ex) when (ex is LiteException or InvalidCastException or IndexOutOfRangeException or ArgumentOutOfRangeException)
            {
                // The file is unreadable past its head (start-up only checks the head). Throwing
                // would stop the host and the next start would fail the same way: a crash loop.
                // Quarantine it like a corrupt file at start-up and carry on with a fresh store.
                QuarantineAtRuntimeLocked(ex);
                return new ValueTask<IReadOnlyList<OutboxMessage>>([]);
            }
        }
    }

    private void QuarantineAtRuntimeLocked(Exception failure)
    {
        try
        {
            _store?.Dispose();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.ReadFailed(_logger, ex);
        }

        _store = null;
        _database = null;
        _leases.Clear();
        Array.Clear(_leasedCount);
        Array.Clear(_cursors);
        _earliestLeaseDeadlineMs = long.MaxValue;
        try
        {
            var quarantined = OutboxStoreFile.Quarantine(_path, _timeProvider.GetUtcNow());
            Log.StoreQuarantined(_logger, failure, _path, quarantined);
            _durabilityState = DurabilityState.Degraded;
            _quarantinedFile = quarantined;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.StoreUnavailable(_logger, ex, _path);
            _durabilityState = DurabilityState.Degraded;
            return;
        }

        // Keep the cumulative counters and unreported drops; the queued messages stay in the quarantined file.
        var counters = _state;
        _state = new OutboxState { AcceptedTotal = counters.AcceptedTotal, AcknowledgedTotal = counters.AcknowledgedTotal };
        foreach (var (key, count) in counters.DropTotals)
        {
            _state.DropTotals[key] = count;
        }

        foreach (var (key, loss) in counters.PendingLosses)
        {
            _state.PendingLosses[key] = loss;
        }

        OpenFreshAfterQuarantineLocked();
    }

    public ValueTask AcknowledgeAsync(IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messageIds);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            AcknowledgeLocked(messageIds);
        }

        return ValueTask.CompletedTask;
    }

    public void ReleaseLeases()
    {
        lock (_gate)
        {
            _leases.Clear();
            Array.Clear(_leasedCount);
            Array.Clear(_cursors);
            _earliestLeaseDeadlineMs = long.MaxValue;
        }

        Signal();
    }

    public Task WaitForMessagesAsync(CancellationToken cancellationToken)
    {
        Task signal;
        long untilLeaseTimeoutMs;
        lock (_gate)
        {
            signal = _signal.Task;
            if (!EnsureOpenLocked())
            {
                return signal.WaitAsync(cancellationToken);
            }

            var nowMs = NowMs();
            if (nowMs >= _earliestLeaseDeadlineMs)
            {
                return Task.CompletedTask;
            }

            for (var c = 0; c < _leasedCount.Length; c++)
            {
                if (_state.Count[c] - _leasedCount[c] > 0)
                {
                    return Task.CompletedTask;
                }
            }

            untilLeaseTimeoutMs = _earliestLeaseDeadlineMs == long.MaxValue ? -1 : _earliestLeaseDeadlineMs - nowMs;
        }

        return untilLeaseTimeoutMs < 0
            ? signal.WaitAsync(cancellationToken)
            : WaitForSignalOrLeaseTimeoutAsync(signal, TimeSpan.FromMilliseconds(untilLeaseTimeoutMs), cancellationToken);
    }

    private async Task WaitForSignalOrLeaseTimeoutAsync(Task signal, TimeSpan delay, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var timeout = Task.Delay(delay, _timeProvider, stop.Token);
        await Task.WhenAny(signal, timeout).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }

    private List<OutboxMessage> LeaseLocked(int maxCount)
    {
        var result = new List<OutboxMessage>();
        if (!EnsureOpenLocked())
        {
            return result;
        }

        var nowMs = NowMs();
        ExpireLeasesLocked(nowMs);
        var available = new long[_leasedCount.Length];
        for (var c = 0; c < available.Length; c++)
        {
            available[c] = _state.Count[c] - _leasedCount[c];
        }

        var plan = _scheduler.Plan(maxCount, available);
        var expired = new Dictionary<UInt128, (int Class, BsonDocument Document)>();
        for (var c = 0; c < plan.Length; c++)
        {
            if (plan[c] > 0)
            {
                FetchLocked(c, plan[c], nowMs, result, expired);
            }
        }

        // Slots a class could not use (its messages had expired) go down the priority order.
        for (var c = 0; c < plan.Length && result.Count < maxCount && expired.Count > 0; c++)
        {
            if (_state.Count[c] - _leasedCount[c] - expired.Values.Count(e => e.Class == c) > 0)
            {
                FetchLocked(c, maxCount - result.Count, nowMs, result, expired);
            }
        }

        if (expired.Count > 0)
        {
            DeleteExpiredLocked(expired.Values);
        }

        return result;
    }

    /// <summary>
    /// Takes up to <paramref name="count"/> unleased messages of one class in delivery order.
    /// Telemetry is "live first": messages stamped within <see cref="OutboxOptions.LiveWindow"/>
    /// (by their UUIDv7 timestamp, which the sink issues at capture) go newest-first, so the map
    /// shows where the vehicle is now as soon as the link returns; older telemetry (the history)
    /// then drains oldest-first behind them, so the track fills in from where the gap began.
    /// The live pass examines a bounded number of messages (see below).
    /// Every other class goes strictly oldest-first.
    /// </summary>
    private void FetchLocked(int c, int count, long nowMs, List<OutboxMessage> result, Dictionary<UInt128, (int Class, BsonDocument Document)> expired)
    {
        var queue = _queues[c];
        byte[]? boundary = null;
        if (c == TelemetryIndex && _options.LiveWindow > TimeSpan.Zero)
        {
            boundary = LiveBoundary(nowMs);

            // The newest live messages are usually the ones in flight, so each scan walks over
            // them again; cap that walk. Live messages below the cap simply wait (at most
            // LiveWindow) until they join the history.
            var examineBudget = (count * 4) + 1024;
            foreach (var document in queue.Find(Query.All(Query.Descending)))
            {
                if (CompareIds(document["_id"].AsBinary, boundary) < 0 || --examineBudget < 0)
                {
                    break;
                }

                if (TryTakeLocked(c, document, nowMs, result, expired) && --count == 0)
                {
                    return;
                }
            }
        }

        var cursor = _cursors[c];
        var source = cursor is null ? queue.Find(Query.All(Query.Ascending)) : queue.Find(Query.GT("_id", cursor));
        foreach (var document in source)
        {
            var id = document["_id"].AsBinary;
            if (boundary is not null && CompareIds(id, boundary) >= 0)
            {
                break;
            }

            _cursors[c] = id;
            if (TryTakeLocked(c, document, nowMs, result, expired) && --count == 0)
            {
                return;
            }
        }
    }

    private bool TryTakeLocked(int c, BsonDocument document, long nowMs, List<OutboxMessage> result, Dictionary<UInt128, (int Class, BsonDocument Document)> expired)
    {
        var id = document["_id"].AsBinary;
        var key = KeyOf(id);
        if (_leases.ContainsKey(key) || expired.ContainsKey(key))
        {
            return false;
        }

        var expiresMs = document["x"].AsInt64;
        if (expiresMs <= nowMs)
        {
            expired[key] = (c, document);
            return false;
        }

        var deadline = nowMs + (long)_options.LeaseTimeout.TotalMilliseconds;
        _leases[key] = new OutboxLease(c, deadline, SizeOf(document));
        _leasedCount[c]++;
        _earliestLeaseDeadlineMs = Math.Min(_earliestLeaseDeadlineMs, deadline);
        result.Add(new OutboxMessage(
            MonotonicMessageIdGenerator.Format(id),
            OutboxClassDefaults.All[c],
            document["s"].AsString,
            DateTimeOffset.FromUnixTimeMilliseconds(expiresMs),
            document["b"].AsBinary));
        return true;
    }

    private void ExpireLeasesLocked(long nowMs)
    {
        if (nowMs < _earliestLeaseDeadlineMs)
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
                _cursors[lease.ClassIndex] = null;
            }
            else
            {
                earliest = Math.Min(earliest, lease.DeadlineMs);
            }
        }

        _earliestLeaseDeadlineMs = earliest;
    }

    private void AcknowledgeLocked(IReadOnlyCollection<string> messageIds)
    {
        if (messageIds.Count == 0 || !EnsureOpenLocked())
        {
            return;
        }

        var database = _database!;
        database.BeginTrans();
        try
        {
            foreach (var text in messageIds)
            {
                var id = new byte[MonotonicMessageIdGenerator.ByteLength];
                if (!MonotonicMessageIdGenerator.TryParse(text, id))
                {
                    continue;
                }

                if (_leases.Remove(KeyOf(id), out var lease))
                {
                    _leasedCount[lease.ClassIndex]--;
                    if (_queues[lease.ClassIndex].Delete(id))
                    {
                        Acknowledged(lease.ClassIndex, lease.Size);
                    }

                    continue;
                }

                // Not leased by this process (a late or duplicate ack, or one from before a restart).
                for (var c = 0; c < _queues.Length; c++)
                {
                    if (_queues[c].FindById(id) is { } document)
                    {
                        _queues[c].Delete(id);
                        Acknowledged(c, SizeOf(document));
                        break;
                    }
                }
            }

            SaveStateLocked();

            // No flush wait: an acknowledgement lost in a crash only means the message is sent
            // again, and FleetControl de-duplicates on the message id.
            database.Commit();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            try
            {
                database.Rollback();
            }
            catch (Exception rollback) when (rollback is not OutOfMemoryException)
            {
                Log.AcknowledgeFailed(_logger, rollback);
            }

            ReloadStateLocked();
            Log.AcknowledgeFailed(_logger, ex);
        }
    }

    private void Acknowledged(int classIndex, long size)
    {
        _state.Count[classIndex]--;
        _state.Bytes[classIndex] -= size;
        _state.AcknowledgedTotal++;
    }

    private void DeleteExpiredLocked(IEnumerable<(int Class, BsonDocument Document)> expired)
    {
        var database = _database!;
        var perClass = new int[_queues.Length];
        database.BeginTrans();
        try
        {
            foreach (var (c, document) in expired)
            {
                if (DeleteCountedLocked(c, document, "expired") > 0)
                {
                    perClass[c]++;
                }
            }

            SaveStateLocked();
            database.Commit();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            try
            {
                database.Rollback();
            }
            catch (Exception rollback) when (rollback is not OutOfMemoryException)
            {
                Log.MaintenanceFailed(_logger, rollback);
            }

            ReloadStateLocked();
            Log.MaintenanceFailed(_logger, ex);
            return;
        }

        for (var c = 0; c < perClass.Length; c++)
        {
            if (perClass[c] > 0)
            {
                Log.Expired(_logger, perClass[c], OutboxClassDefaults.All[c]);
            }
        }
    }
}
