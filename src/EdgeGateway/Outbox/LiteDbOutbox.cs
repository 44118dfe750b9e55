using System.Collections.Concurrent;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Hosting;
using EdgeGateway.Outbox.Admission;
using EdgeGateway.Outbox.Housekeeping;
using EdgeGateway.Outbox.Leasing;
using EdgeGateway.Outbox.Policy;
using EdgeGateway.Outbox.Salvage;
using EdgeGateway.Outbox.Storage;
using EdgeGateway.Storage;
using LiteDB;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Outbox;

/// <summary>
/// The durable outbox on one LiteDB file (Direct connection, this process only): a façade that
/// holds the one lock and the group commit, and hands each job to one collaborator.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><see cref="OutboxStore"/> (Storage): the file, its per-class collections, the state document, transactions.</item>
/// <item><see cref="EnqueueAdmission"/> (Admission): expiry on arrival, disk reserve, quotas, telemetry thinning.</item>
/// <item><see cref="LeaseTable"/>, <see cref="LeaseReader"/>, <see cref="Acknowledger"/> (Leasing): lease, ack, lease timeout, class mix.</item>
/// <item><see cref="ExpirySweeper"/>, <see cref="DataLossReporter"/>, <see cref="StoreHygiene"/>, <see cref="StatisticsBuilder"/> (Housekeeping).</item>
/// <item><see cref="EnvelopePolicy"/> (Policy): stamping, class and expiry.</item>
/// </list>
/// Every operation runs under one lock; enqueues queue themselves and whoever holds the lock
/// commits everything queued in one transaction (group commit) and waits until it is on disk, one
/// fsync for the whole group (<see cref="DurableLiteDatabase"/>), before anyone is told "Accepted".
/// </remarks>
internal sealed class LiteDbOutbox : IOutbox, IOutboxStampState, IOutboxDedupeKeys, IDisposable
{
    /// <summary>Stream of the outbox's own DataLossReports.</summary>
    public const string DataLossStream = EnvelopePolicy.DataLossStream;

    /// <summary>Stream of the outbox's own alarms (DeviceEvent).</summary>
    public const string AlarmStream = EnvelopePolicy.AlarmStream;

    private const int MaxBatch = 4096;
    private const int BulkBatch = 20_000;

    // Acknowledged messages deleted per transaction behind the acks. Large, because most of a
    // delete transaction's cost is per commit (the state document and the touched index and data
    // pages are written to the log once per commit); the delete-behind loop still gives the lock up
    // after the message it is deleting when an enqueue, lease or ack waits for it (_waiters).
    private const int DeleteChunk = 1024;

    // Acked-but-undeleted messages a lease tolerates before it deletes the excess itself, so the
    // deletes cannot fall behind without bound (memory, and messages re-sent after a crash).
    private const int DeleteBehindLimit = 4096;

    private readonly OutboxOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly MonotonicMessageIdGenerator _ids;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly ConcurrentQueue<PendingEnqueue> _pending = new();
    private readonly EnvelopePolicy _policy;
    private readonly OutboxStore _store;
    private readonly LeaseTable _leases = new();
    private readonly ScanCursors _cursors = new();
    private readonly DiskReserve _disk;
    private readonly EnqueueAdmission _admission;
    private readonly LeaseReader _reader;
    private readonly Acknowledger _acknowledger;
    private readonly ExpirySweeper _sweeper;
    private readonly CorruptMessageDiscarder _discarder;
    private readonly DataLossReporter _reporter;
    private readonly StoreHygiene _hygiene;
    private readonly StatisticsBuilder _statisticsBuilder;
    private readonly PayloadProtector _protector;

    private bool _openAttempted;
    private bool _disposed;
    private long _lastEnqueueMs;
    private long _lastReportFlushMs = long.MinValue;

    // Per class: when CheckUnleasedAreReachableLocked may next read the queue through.
    private readonly long[] _nextReachableCheckMs = new long[OutboxClassDefaults.All.Length];
    private OutboxStatistics? _statistics;
    private TaskCompletionSource _signal = NewSignal();

    // Set when an Emergency or Alert is accepted (or leases come back): wakes the drain's urgent lane.
    private TaskCompletionSource _urgentSignal = NewSignal();
    private readonly SemaphoreSlim _deleteWake = new(0);
    private readonly CancellationTokenSource _stopping = new();
    private Task? _deleteBehind;
    private bool _diskFullAlarmPending;
    private bool _diskClearedAlarmPending;
    private bool _writingAlarm;

    // Callers on the delivery path (enqueue, lease, ack) waiting for the lock: the delete-behind loop yields to them.
    private int _waiters;

    public LiteDbOutbox(
        IOptions<OutboxOptions> options,
        IOptions<GatewayOptions> gateway,
        TimeProvider timeProvider,
        MonotonicMessageIdGenerator ids,
        ILogger<LiteDbOutbox> logger,
        PayloadProtector? protector = null)
    {
        _options = options.Value;
        _protector = protector ?? PayloadProtector.Plaintext;
        _timeProvider = timeProvider;
        _ids = ids;
        _logger = logger;
        _policy = new EnvelopePolicy(_options, gateway.Value.DeviceId, timeProvider, ids);
        var path = Path.GetFullPath(Path.Combine(gateway.Value.DataDirectory, _options.FileName));
        _store = new OutboxStore(path, StoreHygiene.CheckpointPagesFor(_options), logger);
        _disk = new DiskReserve(path, _options.FreeDiskReserveBytes, _options.UrgentReserveBytes, logger);
        var thinning = new TelemetryThinning(_store, _leases, _policy, _options.ThinningStretch);
        _admission = new EnqueueAdmission(_store, _policy, _disk, thinning, _leases, _cursors, _options.DataLossReportInterval, logger, _protector);
        _reader = new LeaseReader(_store, _leases, _cursors, _policy, _options.LeaseTimeout, _protector);
        _acknowledger = new Acknowledger(_store, _leases, logger);
        _sweeper = new ExpirySweeper(_store, _leases, logger);
        _discarder = new CorruptMessageDiscarder(_store, logger);
        _reporter = new DataLossReporter(_store, _policy);
        _hygiene = new StoreHygiene(_store, _options, logger);
        _statisticsBuilder = new StatisticsBuilder(_store, _leases, _disk, _policy);
        if (_protector.Unavailable is { } reason)
        {
            Log.EncryptionUnavailable(logger, reason);
        }
    }

    /// <summary>Full path of the data file.</summary>
    public string DataFilePath => _store.DataFilePath;

    /// <summary>Effective per-class settings, indexed like <see cref="OutboxClassDefaults.All"/>.</summary>
    public IReadOnlyList<OutboxClassSettings> Classes => _policy.Classes;

    /// <summary>The stamping, class and expiry rules this outbox applies.</summary>
    public EnvelopePolicy Policy => _policy;

    /// <summary>Returns free bytes on the data volume (replaceable in tests).</summary>
    internal Func<long> FreeDiskProbe
    {
        get => _disk.Probe;
        set => _disk.Probe = value;
    }

    /// <summary>
    /// True (the default): acknowledged messages are deleted behind the acks in small chunks.
    /// False: every <see cref="AcknowledgeAsync"/> deletes its messages at once under the lock (the
    /// old behaviour, kept as the benchmark's same-run baseline).
    /// </summary>
    internal bool DeleteBehind { get; set; } = true;

    /// <summary>
    /// Tests: called on the delete-behind's thread after each turn that deleted something, once its
    /// sync behind the lock is done: whether it fsynced, and how many acknowledged messages still wait.
    /// </summary>
    internal Action<bool, int>? DeleteBehindSynced { get; set; }

    /// <summary>Tests: the open file (its log stream counts fsyncs); null while closed.</summary>
    internal DurableLiteDatabase? DurableFile => _store.DurableFile;

    /// <summary>Documents the lease scans have read since the outbox was created.</summary>
    internal long LeaseDocumentsRead
    {
        get
        {
            lock (_gate)
            {
                return _reader.DocumentsRead;
            }
        }
    }

    /// <summary>The pre-allocated file released for Emergency and Alert when the disk is full.</summary>
    internal ReserveFile UrgentReserve => _disk.UrgentReserve;

    /// <summary>The latest statistics snapshot (refreshed by every maintenance pass; built on first use).</summary>
    public OutboxStatistics CurrentStatistics => Volatile.Read(ref _statistics) ?? GetStatistics();

    public ValueTask<EnqueueResult> EnqueueAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var item = PendingEnqueue.From(envelope, isInternal: false);
        _pending.Enqueue(item);
        Interlocked.Increment(ref _waiters);
        lock (_gate)
        {
            Interlocked.Decrement(ref _waiters);
            while (item.Result is null)
            {
                ProcessPendingLocked();
            }

            WriteDiskAlarmLocked();
            return new ValueTask<EnqueueResult>(item.Result.Value);
        }
    }

    /// <summary>Stores many envelopes in as few transactions as possible (bulk load, replays, benchmarks).</summary>
    public ValueTask<IReadOnlyList<EnqueueResult>> EnqueueManyAsync(IReadOnlyList<Envelope> envelopes, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var items = envelopes.Select(e => PendingEnqueue.From(e, isInternal: false)).ToList();
        lock (_gate)
        {
            for (var start = 0; start < items.Count; start += BulkBatch)
            {
                WriteBatchLocked(items.GetRange(start, Math.Min(BulkBatch, items.Count - start)));
            }
        }

        return new ValueTask<IReadOnlyList<EnqueueResult>>(items.Select(i => i.Result ?? EnqueueResult.RefusedStoreUnavailable).ToList());
    }

    public bool TryGetLastSequence(string stream, out ulong sequence)
    {
        lock (_gate)
        {
            if (!EnsureOpenLocked())
            {
                _admission.UnsequencedStreams.Add(stream); // the caller stamps a guess: checked at write
                sequence = 0;
                return false;
            }

            _admission.UnsequencedStreams.Remove(stream);
            sequence = _store.State.Sequences.GetValueOrDefault(stream);
            return true;
        }
    }

    public bool SaveDedupeKey(string messageId, string key)
    {
        var id = new byte[MonotonicMessageIdGenerator.ByteLength];
        if (!MonotonicMessageIdGenerator.TryParse(messageId, id))
        {
            return false;
        }

        lock (_gate)
        {
            if (!EnsureOpenLocked())
            {
                return false;
            }

            try
            {
                _store.HasDedupeKeys = true;
                _store.Begin();
                _store.DedupeKeys.Upsert(new BsonDocument { ["_id"] = id, ["k"] = key });
                _store.Commit();
                _store.WaitDurable(); // before the LIP goes on the air: one fsync
                return true;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _store.RollbackAndReload(rollback => _logger.LogDebug(rollback, "Rollback after a failed dedupe key write also failed"));
                Log.DedupeKeyFailed(_logger, ex, messageId);
                if (ex is IOException)
                {
                    _store.MarkFailed(ex);
                }

                RecoverIfFailedLocked();
                return false;
            }
        }
    }

    public IReadOnlyList<KeyValuePair<string, string>> LoadDedupeKeys()
    {
        lock (_gate)
        {
            try
            {
                if (!EnsureOpenLocked())
                {
                    return [];
                }

                var keys = new List<KeyValuePair<string, string>>();
                var orphans = new List<BsonValue>();
                foreach (var row in _store.DedupeKeys.FindAll())
                {
                    if (IsQueuedLocked(row["_id"]))
                    {
                        keys.Add(KeyValuePair.Create(MonotonicMessageIdGenerator.Format(row["_id"].AsBinary), row["k"].AsString));
                    }
                    else
                    {
                        orphans.Add(row["_id"]);
                    }
                }

                // Keys whose message left the outbox without taking its key along (before drops deleted keys too).
                if (orphans.Count > 0)
                {
                    DeleteOrphanDedupeKeysLocked(orphans);
                }

                _store.HasDedupeKeys |= keys.Count > 0;
                return keys;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.DedupeKeyFailed(_logger, ex, "(all)");
                return [];
            }
        }
    }

    private bool IsQueuedLocked(BsonValue id)
    {
        for (var c = 0; c < OutboxClassDefaults.All.Length; c++)
        {
            if (_store.Queue(c).Exists(Query.EQ("_id", id)))
            {
                return true;
            }
        }

        return false;
    }

    // Best effort: a key left behind costs a row, not a wrong stamp (its message id is never reused).
    private void DeleteOrphanDedupeKeysLocked(List<BsonValue> orphans)
    {
        try
        {
            _store.Begin();
            foreach (var id in orphans)
            {
                _store.DedupeKeys.Delete(id);
            }

            _store.Commit();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _store.RollbackAndReload(rollback => _logger.LogDebug(rollback, "Rollback after a failed dedupe key cleanup also failed"));
            Log.DedupeKeyFailed(_logger, ex, "(orphans)");
        }
    }

    public ValueTask<IReadOnlyList<OutboxMessage>> LeaseAsync(int maxCount, CancellationToken cancellationToken) =>
        LeaseAsync(maxCount, null, cancellationToken);

    public ValueTask<IReadOnlyList<OutboxMessage>> LeaseUrgentAsync(int maxCount, CancellationToken cancellationToken) =>
        LeaseAsync(maxCount, LeaseScheduler.Urgent, cancellationToken);

    public ValueTask<IReadOnlyList<OutboxMessage>> LeaseAsync(int maxCount, IReadOnlySet<PriorityClass>? classes, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCount);
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _waiters);
        lock (_gate)
        {
            Interlocked.Decrement(ref _waiters);
            try
            {
                var leased = LeaseLocked(maxCount, classes);
                RecoverIfFailedLocked();
                return new ValueTask<IReadOnlyList<OutboxMessage>>(leased);
            }
            catch (Exception ex) when (IsStoreFailure(ex))
            {
                // LiteDB closes its engine after an I/O error (a full disk, say): nothing to send now;
                // the store is reopened (never quarantined for this) and the uplink asks again later.
                Log.ReadFailed(_logger, ex);
                _store.MarkFailed(ex);
                RecoverIfFailedLocked();
                return new ValueTask<IReadOnlyList<OutboxMessage>>([]);
            }
            catch (Exception ex) when (IsDamage(ex))
            {
                // The file is unreadable past its head (start-up only checks the head). Throwing
                // would stop the host and the next start would fail the same way: a crash loop.
                // Quarantine it like a corrupt file at start-up and carry on with a fresh store.
                QuarantineAtRuntimeLocked(ex);
                return new ValueTask<IReadOnlyList<OutboxMessage>>([]);
            }
        }
    }

    public ValueTask AcknowledgeAsync(IReadOnlyCollection<string> messageIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messageIds);
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _waiters);
        lock (_gate)
        {
            Interlocked.Decrement(ref _waiters);
            try
            {
                if (messageIds.Count == 0 || !EnsureOpenLocked() || _acknowledger.Acknowledge(messageIds) == 0)
                {
                    return ValueTask.CompletedTask;
                }
            }
            catch (Exception ex) when (IsStoreFailure(ex))
            {
                // The lookup of an id this process did not lease failed: the message stays queued and is
                // sent again (FleetControl de-duplicates); the store is reopened.
                Log.AcknowledgeFailed(_logger, ex);
                _store.MarkFailed(ex);
                RecoverIfFailedLocked();
                return ValueTask.CompletedTask;
            }

            if (!DeleteBehind)
            {
                if (!_acknowledger.DeleteAcknowledged(int.MaxValue))
                {
                    _cursors.Reset();
                    RecoverIfFailedLocked();
                }

                return ValueTask.CompletedTask;
            }

            _deleteBehind ??= Task.Run(() => DeleteBehindAsync(_stopping.Token), CancellationToken.None);
        }

        if (_deleteWake.CurrentCount == 0)
        {
            _deleteWake.Release();
        }

        return ValueTask.CompletedTask;
    }

    public void ReleaseLeases()
    {
        lock (_gate)
        {
            _leases.ReleaseAll();
            _cursors.Reset();
        }

        Signal();
        SignalUrgent();
    }

    public Task WaitForUrgentAsync(CancellationToken cancellationToken)
    {
        Task signal;
        lock (_gate)
        {
            signal = _urgentSignal.Task;
            if (_store.IsOpen && !_disposed)
            {
                var available = _leases.Available(_store.State.Count);
                if (available[0] + available[1] > 0)
                {
                    return Task.CompletedTask;
                }
            }
        }

        return signal.WaitAsync(cancellationToken);
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
            if (nowMs >= _leases.EarliestDeadlineMs || _leases.AnyAvailable(_store.State.Count))
            {
                return Task.CompletedTask;
            }

            untilLeaseTimeoutMs = _leases.EarliestDeadlineMs == long.MaxValue ? -1 : _leases.EarliestDeadlineMs - nowMs;
        }

        return untilLeaseTimeoutMs < 0
            ? signal.WaitAsync(cancellationToken)
            : WaitForSignalOrLeaseTimeoutAsync(signal, TimeSpan.FromMilliseconds(untilLeaseTimeoutMs), cancellationToken);
    }

    /// <summary>Opens the store if needed (retrying an unavailable one) and does one round of housekeeping.</summary>
    public void RunMaintenance()
    {
        lock (_gate)
        {
            if (!_store.IsOpen && !_disposed)
            {
                _openAttempted = false;
            }

            RefreshDiskLocked(); // before the open: a full disk is known before the first write meets it
            if (!EnsureOpenLocked())
            {
                _statistics = BuildStatisticsLocked();
                return;
            }

            try
            {
                var nowMs = NowMs();
                DeleteAcknowledgedLocked(int.MaxValue); // the sweep, compaction and statistics see the file as acked
                if (!_sweeper.Sweep(nowMs))
                {
                    _cursors.Reset();
                }

                WriteDiskAlarmLocked();
                if (_lastReportFlushMs == long.MinValue || nowMs - _lastReportFlushMs >= (long)_options.DataLossReportInterval.TotalMilliseconds)
                {
                    FlushDataLossReportsLocked();
                }

                if (_store.IsOpen && _store.Failure is null && !_disk.UrgentOnly)
                {
                    _hygiene.CheckpointIfIdle(nowMs, _lastEnqueueMs);
                    _hygiene.CompactIfIdle(nowMs, _lastEnqueueMs, _leases.Count);
                }
                else if (_store.IsOpen && _store.Failure is null)
                {
                    _hygiene.CheckpointIfRoom(_disk.Probe()); // keeps the reserve for Emergency and Alert
                }
            }
            catch (Exception ex) when (IsStoreFailure(ex))
            {
                // LiteDB met an I/O error (a full disk, say) and closed its engine: reopen, never throw.
                Log.MaintenanceFailed(_logger, ex);
                _store.MarkFailed(ex);
            }
            catch (StoreDamagedException ex)
            {
                QuarantineAtRuntimeLocked(ex); // as a lease does
            }

            RecoverIfFailedLocked();
            _statistics = BuildStatisticsLocked();
        }
    }

    /// <summary>Turns every pending drop into one DataLossReport per class and reason now.</summary>
    public void FlushDataLossReports()
    {
        lock (_gate)
        {
            if (EnsureOpenLocked())
            {
                FlushDataLossReportsLocked();
                RecoverIfFailedLocked();
            }
        }
    }

    /// <summary>Builds a fresh statistics snapshot.</summary>
    public OutboxStatistics GetStatistics()
    {
        lock (_gate)
        {
            if (!_disposed && EnsureOpenLocked())
            {
                DeleteAcknowledgedLocked(int.MaxValue); // exact depths and acknowledged total
            }

            _statistics = BuildStatisticsLocked();
            return _statistics;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            if (_store.IsOpen)
            {
                DeleteAcknowledgedLocked(int.MaxValue);
            }

            _disposed = true;
            _store.Dispose();
        }

        _stopping.Cancel(); // the delete-behind loop ends; it owns nothing that needs waiting for
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private long NowMs() => _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    private void Signal() => Interlocked.Exchange(ref _signal, NewSignal()).TrySetResult();

    private void SignalUrgent() => Interlocked.Exchange(ref _urgentSignal, NewSignal()).TrySetResult();

    private async Task WaitForSignalOrLeaseTimeoutAsync(Task signal, TimeSpan delay, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var timeout = Task.Delay(delay, _timeProvider, stop.Token);
        await Task.WhenAny(signal, timeout).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// Deletes acknowledged messages behind the acks, one small transaction at a time, letting
    /// enqueues and leases take the lock in between. Sleeps (no CPU) until the next ack.
    /// </summary>
    private async Task DeleteBehindAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await _deleteWake.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var more = true;
            while (more && !cancellationToken.IsCancellationRequested)
            {
                DurableLiteDatabase? written = null;
                int pending;
                lock (_gate)
                {
                    // At least one message per turn, so the loop makes progress however busy the lock is.
                    var before = _acknowledger.Pending;
                    more = !_disposed && _store.IsOpen && before > 0 && DeleteAcknowledgedLocked(DeleteChunk, yieldToWaiters: true) && _acknowledger.Pending > 0;
                    RecoverIfFailedLocked(); // a failed delete stays marked and is retried after the reopen
                    pending = _acknowledger.Pending;
                    if (pending < before && !_disposed)
                    {
                        written = _store.DurableFile;
                    }
                }

                if (written is not null)
                {
                    SyncDeletesBehind(written, pending);
                }

                await Task.Yield();
            }
        }
    }

    /// <summary>
    /// fsyncs the delete-behind's commit from this thread, outside the lock, so that the next durable
    /// enqueue (an Emergency) neither waits for the lock during it nor pays for flushing these pages in
    /// its own fsync. Not needed for correctness: a delete lost in a power cut only means the message is
    /// sent again (FleetControl de-duplicates), and an enqueue's own fsync covers whatever is left. A
    /// failure here (the store closed or failed meanwhile) is left to the next operation under the lock.
    /// </summary>
    private void SyncDeletesBehind(DurableLiteDatabase file, int pending)
    {
        var synced = false;
        try
        {
            synced = file.SyncBehind();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Whatever a file closed or failed under it throws (through LiteDB's internals, too): the
            // loop must not die of it; the next operation under the lock sees the failure and reopens.
            _logger.LogDebug(ex, "The delete-behind's fsync failed; the next durable commit covers its pages");
        }

        DeleteBehindSynced?.Invoke(synced, pending);
    }

    /// <summary>
    /// Deletes up to <paramref name="max"/> acknowledged messages in chunks; false if a write failed.
    /// With <paramref name="yieldToWaiters"/>, one chunk at most, ended early when a caller on the
    /// delivery path waits for the lock.
    /// </summary>
    private bool DeleteAcknowledgedLocked(int max, bool yieldToWaiters = false)
    {
        for (var deleted = 0L; deleted < max && _acknowledger.Pending > 0; deleted += DeleteChunk)
        {
            var ok = yieldToWaiters
                ? _acknowledger.DeleteAcknowledged((int)Math.Min(DeleteChunk, max - deleted), () => Volatile.Read(ref _waiters) > 0)
                : _acknowledger.DeleteAcknowledged((int)Math.Min(DeleteChunk, max - deleted));
            if (!ok)
            {
                _cursors.Reset();
                return false;
            }

            if (yieldToWaiters)
            {
                break;
            }
        }

        return true;
    }

    private OutboxStatistics BuildStatisticsLocked()
    {
        try
        {
            return _statisticsBuilder.Build(_timeProvider.GetUtcNow());
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            _store.MarkFailed(ex);
            RecoverIfFailedLocked();
            return _statisticsBuilder.Build(_timeProvider.GetUtcNow()); // from the reopened file, or as last known
        }
    }

    /// <summary>
    /// If the open file stopped working (LiteDB closes its engine after any I/O error and rethrows it
    /// on every later call), closes it and opens it again at once: the file is intact, so it is never
    /// quarantined for this. A full disk also switches admission to urgent-only and releases the
    /// reserve file first, so the reopened store has room for Emergency and Alert.
    /// </summary>
    private void RecoverIfFailedLocked()
    {
        if (_store.Failure is not { } failure || _disposed)
        {
            return;
        }

        var diskFull = StorageErrors.IsDiskFull(failure);
        Log.StoreFailed(_logger, failure, diskFull ? "disk full" : failure.Message);
        _cursors.Reset();
        _store.CloseAfterFailure();
        if (diskFull)
        {
            EnterDiskFullLocked(failure);
        }

        _openAttempted = false; // a failed reopen is retried by every maintenance pass
        EnsureOpenLocked();
    }

    /// <summary>
    /// A failure of the store that reopening mends: an I/O error, or LiteDB's engine having closed itself after
    /// one (it disposes its own locks when its writer fails, so later calls throw ObjectDisposedException).
    /// </summary>
    private bool IsStoreFailure(Exception ex) => ex is IOException || (ex is ObjectDisposedException && !_disposed);

    // LiteDB reports damaged pages as any of these: NotImplementedException is its reader meeting an unknown BSON type
    // byte, ArgumentException (DecoderFallbackException among them) a string or decimal whose bytes are not one.
    private static bool IsDamage(Exception ex) => ex is LiteException or InvalidCastException or IndexOutOfRangeException or OverflowException
        or (ArgumentException and not ArgumentNullException) or NotSupportedException or NotImplementedException or FormatException or StoreDamagedException;

    private void EnterDiskFullLocked(Exception? cause)
    {
        if (!_disk.UrgentOnly)
        {
            _diskFullAlarmPending = true;
        }

        _disk.EnterDiskFull(cause);
    }

    /// <summary>Probes free space; raises the disk-full alarm or its all-clear on a change.</summary>
    private void RefreshDiskLocked()
    {
        var wasFull = _disk.UrgentOnly;
        _disk.Refresh();
        if (wasFull != _disk.UrgentOnly)
        {
            _diskFullAlarmPending |= _disk.UrgentOnly;
            _diskClearedAlarmPending = !_disk.UrgentOnly;
        }
    }

    /// <summary>
    /// Writes a pending disk-full alarm (Alert) and then its all-clear (Event) into the outbox, from the
    /// reserve like any internal message; retried by the next enqueue or maintenance pass if it could
    /// not be. An episode too short (or a disk too full) to write the alarm in still reports it afterwards.
    /// </summary>
    private void WriteDiskAlarmLocked()
    {
        if (_diskFullAlarmPending && WriteDiskAlarmLocked(full: true))
        {
            _diskFullAlarmPending = false;
        }

        if (_diskClearedAlarmPending && !_diskFullAlarmPending && WriteDiskAlarmLocked(full: false))
        {
            _diskClearedAlarmPending = false;
        }
    }

    private bool WriteDiskAlarmLocked(bool full)
    {
        if (_writingAlarm || !_store.IsOpen)
        {
            return false;
        }

        var envelope = _policy.NewInternal(AlarmStream, full ? PriorityClass.Alert : PriorityClass.Event, _store.State.Sequences.GetValueOrDefault(AlarmStream) + 1);
        var free = _disk.FreeBytes == long.MaxValue ? 0 : _disk.FreeBytes;
        envelope.Event = new DeviceEvent
        {
            Type = full ? "outbox.disk_full" : "outbox.disk_recovered",
            Detail = full
                ? "The gateway's data disk is full. Only Emergency and Alert messages are stored (from a reserve kept for them); every other message is refused and counted as lost until space returns."
                : "Disk space is back: the reserve is in place again and every class is stored.",
            Attributes =
            {
                ["free_bytes"] = free.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["reserve_bytes"] = _disk.UrgentReserve.Bytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
        };
        var alarm = PendingEnqueue.From(envelope, isInternal: true);
        _writingAlarm = true;
        try
        {
            WriteBatchLocked([alarm]);
        }
        finally
        {
            _writingAlarm = false;
        }

        return alarm.Result == EnqueueResult.Accepted;
    }

    private bool EnsureOpenLocked()
    {
        if (_disposed)
        {
            return false; // shutting down: refuse (counted) rather than throw at late callers
        }

        if (_store.IsOpen)
        {
            return true;
        }

        if (_openAttempted)
        {
            return false; // retried by the maintenance loop (RunMaintenance), not on every call
        }

        _openAttempted = true;
        if (_store.TryOpen(_timeProvider.GetUtcNow(), out var quarantined))
        {
            OpenedLocked(quarantined);
        }

        return _store.IsOpen;
    }

    /// <summary>After a file was opened: ids continue above the stored ones, idle clocks start, alarm if one was quarantined.</summary>
    private void OpenedLocked(string? quarantined)
    {
        var state = _store.State;
        if (state.HighWaterId is { } highWater)
        {
            _ids.EnsureAfter(highWater);
        }

        _lastEnqueueMs = NowMs(); // idle windows (checkpoint, compaction) count from start-up
        _store.HasDedupeKeys = _store.DedupeKeys.FindAll().Any(); // a drop deletes a stored key even before the drain loads them
        RefreshDiskLocked();
        Log.StoreOpened(_logger, _store.DataFilePath, state.Count.Sum(), state.Bytes.Sum());
        if (quarantined is not null)
        {
            RaiseQuarantineAlarmLocked(quarantined);
        }

        // Every quarantined file not yet salvaged (this one, or one whose salvage was interrupted).
        foreach (var file in OutboxSalvager.Unsalvaged(_store.DataFilePath))
        {
            try
            {
                SalvageLocked(file);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Log.ReadFailed(_logger, ex); // retried at the next open; the file stays as it is
            }
        }

        Signal(); // whatever was queued before the restart is leasable now
        SignalUrgent();
    }

    /// <summary>
    /// Re-enqueues every intact message of a quarantined (or otherwise damaged) outbox file with its
    /// original id and counts the unreadable ones as lost (<c>corrupt</c>, reported to FleetControl).
    /// Throws <see cref="InvalidOperationException"/> when the outbox store cannot be opened.
    /// </summary>
    public SalvageResult Salvage(string file)
    {
        lock (_gate)
        {
            if (!EnsureOpenLocked())
            {
                throw new InvalidOperationException($"The outbox store {_store.DataFilePath} cannot be opened.");
            }

            return SalvageLocked(Path.GetFullPath(file));
        }
    }

    private SalvageResult SalvageLocked(string file)
    {
        var result = OutboxSalvager.Salvage(file, _protector, batch =>
            WriteBatchLocked(batch.Select(e => PendingEnqueue.From(e, isInternal: true)).ToList()));
        for (var c = 0; c < result.Lost.Length; c++)
        {
            if (result.Lost[c] > 0)
            {
                _store.State.RecordLoss(c, MessageChecksum.CorruptReason, (ulong)result.Lost[c], NowMs(), EnvelopePolicy.AlarmStream);
            }
        }

        if (result.LostUnknownClass > 0)
        {
            _store.State.RecordLoss(OutboxClassDefaults.UnknownClass, MessageChecksum.CorruptReason, (ulong)result.LostUnknownClass, NowMs(), EnvelopePolicy.AlarmStream);
        }

        if (_store.State.HighWaterId is { } highWater)
        {
            _ids.EnsureAfter(highWater); // salvaged ids are the file's own; new ones go above them
        }

        Log.Salvaged(_logger, file, result.RecoveredTotal, result.LostTotal);
        var envelope = _policy.NewInternal(AlarmStream, PriorityClass.Alert, _store.State.Sequences.GetValueOrDefault(AlarmStream) + 1);
        envelope.Event = new DeviceEvent
        {
            Type = "outbox.salvaged",
            Detail = result.ExpectedFromState is null
                ? $"Salvaged a quarantined outbox file: {result.RecoveredTotal} intact messages recovered and queued, {result.LostTotal} damaged ones seen and lost; "
                    + "the file's own counts were unreadable too, so more may be lost than were seen."
                : $"Salvaged a quarantined outbox file: {result.RecoveredTotal} intact messages recovered and queued, {result.LostTotal} unreadable and lost.",
            Attributes =
            {
                ["quarantined_file"] = Path.GetFileName(file),
                ["recovered"] = result.RecoveredTotal.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["lost"] = result.LostTotal.ToString(System.Globalization.CultureInfo.InvariantCulture),
                // "seen" when the file's own counts were unreadable and the lost count is only the damage the salvage could see.
                ["lost_count"] = result.ExpectedFromState is null ? "seen" : "exact",
            },
        };

        // The alarm commits the loss counters with it (one durable write); only then is the file marked done.
        var alarm = PendingEnqueue.From(envelope, isInternal: true);
        WriteBatchLocked([alarm]);
        if (alarm.Result == EnqueueResult.Accepted)
        {
            OutboxSalvager.MarkSalvaged(result);
        }

        return result;
    }

    private void QuarantineAtRuntimeLocked(Exception failure)
    {
        _leases.Clear();
        _cursors.Reset();
        if (_store.TryQuarantineAndReopen(failure, _timeProvider.GetUtcNow()))
        {
            OpenedLocked(_store.QuarantinedFile);
        }
    }

    private void RaiseQuarantineAlarmLocked(string quarantined)
    {
        var envelope = _policy.NewInternal(AlarmStream, PriorityClass.Alert, _store.State.Sequences.GetValueOrDefault(AlarmStream) + 1);
        envelope.Event = new DeviceEvent
        {
            Type = "outbox.quarantined",
            Detail = "The outbox store was unreadable; it was moved aside and a fresh store opened. Its intact messages are salvaged (see outbox.salvaged).",
            Attributes = { ["quarantined_file"] = Path.GetFileName(quarantined), ["durability"] = "degraded" },
        };
        WriteBatchLocked([PendingEnqueue.From(envelope, isInternal: true)]);
    }

    private void ProcessPendingLocked()
    {
        var batch = new List<PendingEnqueue>();
        while (batch.Count < MaxBatch && _pending.TryDequeue(out var item))
        {
            batch.Add(item);
        }

        if (batch.Count > 0)
        {
            WriteBatchLocked(batch);
        }
    }

    /// <summary>Decides every item of the batch (admission) and commits the accepted ones in one durable transaction.</summary>
    private void WriteBatchLocked(List<PendingEnqueue> batch, bool retried = false)
    {
        if (!EnsureOpenLocked())
        {
            RefuseLocked(batch);
            return;
        }

        var nowMs = NowMs();
        var accepted = 0;
        var thinned = 0;
        var evicted = 0;
        try
        {
            _store.Begin();
            // Decide every item first (quota, eviction), then insert per class in one engine call.
            var inserts = new List<BsonDocument>[OutboxClassDefaults.All.Length];
            foreach (var item in batch)
            {
                if (_admission.Decide(item, nowMs, inserts, ref thinned, ref evicted))
                {
                    accepted++;
                }
            }

            for (var c = 0; c < inserts.Length; c++)
            {
                if (inserts[c] is { Count: > 0 } documents)
                {
                    _store.Queue(c).Insert(documents);
                }
            }

            _store.SaveState();
            _store.Commit();
            if (accepted > 0)
            {
                _store.WaitDurable(); // one fsync for every message of the group
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _store.RollbackAndReload(rollback => _logger.LogDebug(rollback, "Rollback after a failed outbox write also failed"));
            _cursors.Reset();
            Log.WriteFailed(_logger, ex, batch.Count);
            if (ex is IOException)
            {
                _store.MarkFailed(ex); // LiteDB has closed its engine
            }

            var diskFull = StorageErrors.IsDiskFull(ex) || StorageErrors.IsDiskFull(_store.Failure);
            // Decisions made in the failed transaction are gone with it (rolled back, or never
            // committed by a file that failed): every item is decided again below.
            foreach (var item in batch)
            {
                item.Result = null;
            }

            RecoverIfFailedLocked();
            if (diskFull && !_disk.UrgentOnly)
            {
                EnterDiskFullLocked(ex); // the rollback itself succeeded: no reopen needed, but the disk is full
            }

            ResolveFailedBatchLocked(batch, retried);
            return;
        }

        if (accepted > 0)
        {
            _lastEnqueueMs = nowMs;
            Signal();
            if (batch.Exists(i => i.ClassIndex < LeaseScheduler.UrgentClasses && i.Result == EnqueueResult.Accepted))
            {
                SignalUrgent();
            }
        }

        if (thinned + evicted > 0)
        {
            Log.TelemetryReduced(_logger, thinned, evicted);
        }
    }

    /// <summary>
    /// After a failed write: an item the reopened file holds after all (its commit reached the log
    /// before the failure) is Accepted, so it is neither lost nor stored twice under a reused sequence;
    /// urgent and internal items get one more try once the disk-full reserve is released; the rest are
    /// refused and counted.
    /// </summary>
    private void ResolveFailedBatchLocked(List<PendingEnqueue> batch, bool retried)
    {
        var pending = new List<PendingEnqueue>(batch.Count);
        foreach (var item in batch)
        {
            if (IsStoredLocked(item))
            {
                item.Result = EnqueueResult.Accepted;
            }
            else
            {
                pending.Add(item);
            }
        }

        if (!retried && _disk.UrgentOnly && _store.IsOpen)
        {
            var retry = pending.Where(i => i.IsInternal || !_disk.Refuses(i.ClassIndex)).ToList();
            if (retry.Count > 0)
            {
                WriteBatchLocked(retry, retried: true);
                pending.RemoveAll(i => i.Result is not null);
            }
        }

        RefuseLocked(pending);
    }

    private bool IsStoredLocked(PendingEnqueue item)
    {
        if (!_store.IsOpen || _store.Failure is not null)
        {
            return false;
        }

        try
        {
            return _store.Queue(item.ClassIndex).FindById(item.Id) is not null;
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            _store.MarkFailed(ex); // reopened by the next operation
            return false;
        }
    }

    /// <summary>Refuses every item (counted as lost unless it is the outbox's own message).</summary>
    private void RefuseLocked(List<PendingEnqueue> items)
    {
        foreach (var item in items)
        {
            item.Result = _disk.UrgentOnly && !item.IsInternal && _disk.Refuses(item.ClassIndex)
                ? EnqueueResult.RefusedDiskFull
                : EnqueueResult.RefusedStoreUnavailable;
            if (!item.IsInternal)
            {
                _store.RecordRefusal(item.ClassIndex, item.CapturedMs, item.Stream);
            }
        }
    }

    private List<OutboxMessage> LeaseLocked(int maxCount, IReadOnlySet<PriorityClass>? classes)
    {
        if (!EnsureOpenLocked())
        {
            return [];
        }

        // The urgent lane never pays for the deletes behind: it must hold the lock as briefly as it can.
        if (!LeaseScheduler.IsUrgentOnly(classes) && _acknowledger.Pending > DeleteBehindLimit && !DeleteAcknowledgedLocked(_acknowledger.Pending - DeleteBehindLimit))
        {
            return [];
        }

        var expired = new Dictionary<UInt128, (int Class, BsonDocument Document)>();
        var result = _reader.Lease(maxCount, NowMs(), expired, classes);
        if (expired.Count > 0 && !_sweeper.Delete(expired.Values))
        {
            _cursors.Reset();
        }

        if (_reader.Corrupt.Count > 0 && !_discarder.Discard(_reader.Corrupt.Values))
        {
            _cursors.Reset();
        }

        if (result.Count == 0)
        {
            CheckUnleasedAreReachableLocked(classes);
        }

        return result;
    }

    /// <summary>
    /// After a lease that found nothing, for each class (of <paramref name="classes"/>) the state still counts
    /// unleased messages of: its scans restart from the head and, at most once a minute, its queue is read
    /// through. Fewer distinct unleased messages than the state counts is damage LiteDB cannot see (an index
    /// link or a document's id flipped on disk): left alone, those messages would never be sent, and the uplink,
    /// told there is work, would ask again at once, for ever. It is handled like any damaged file: quarantine
    /// and salvage, which reads the pages themselves.
    /// </summary>
    /// <remarks>A healthy outbox comes here only when its live-first pass runs out of its examine budget.</remarks>
    private void CheckUnleasedAreReachableLocked(IReadOnlySet<PriorityClass>? classes)
    {
        var nowMs = NowMs();
        var available = _leases.Available(_store.State.Count);
        for (var c = 0; c < available.Length; c++)
        {
            if (available[c] <= 0 || (classes is not null && !classes.Contains(OutboxClassDefaults.All[c])) || nowMs < _nextReachableCheckMs[c])
            {
                continue;
            }

            _cursors.Reset(c);
            _nextReachableCheckMs[c] = nowMs + (long)TimeSpan.FromMinutes(1).TotalMilliseconds;
            var seen = new HashSet<UInt128>();
            var reachable = 0L;
            foreach (var document in _store.Queue(c).FindAll())
            {
                var key = System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(document["_id"].AsBinary);
                if (seen.Add(key) && !_leases.Contains(key))
                {
                    reachable++;
                }
            }

            if (reachable < available[c])
            {
                throw new StoreDamagedException(
                    $"the {OutboxClassDefaults.All[c]} queue holds {reachable} unleased messages that can be read of the {available[c]} the outbox counts");
            }
        }
    }

    private void FlushDataLossReportsLocked()
    {
        _lastReportFlushMs = NowMs();
        var reports = _reporter.TakeReports();
        if (reports.Count == 0)
        {
            return;
        }

        // Cleared in memory now, written with the reports in one transaction; a failed write
        // reloads the state document, which still holds them.
        var items = reports.Select(r => r.Item).ToList();
        WriteBatchLocked(items);
        if (items.All(i => i.Result == EnqueueResult.Accepted))
        {
            foreach (var (_, priority, reason, count) in reports)
            {
                Log.DataLossReported(_logger, priority, reason, count);
            }
        }
    }
}
