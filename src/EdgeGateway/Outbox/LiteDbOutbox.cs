using System.Buffers.Binary;
using System.Collections.Concurrent;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Hosting;
using EdgeGateway.Storage;
using Google.Protobuf.WellKnownTypes;
using LiteDB;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Outbox;

/// <summary>
/// The durable outbox on one LiteDB file (Direct connection, this process only).
/// </summary>
/// <remarks>
/// Layout: one collection per class (<c>q_emergency</c> ... <c>q_bulk</c>) whose <c>_id</c> is the
/// 16-byte big-endian UUIDv7 message id, so the primary index is the delivery order and the
/// oldest message of a class is the first index node. Documents: <c>s</c> stream, <c>c</c>
/// captured-at and <c>x</c> expires-at (Unix ms), <c>b</c> the serialized envelope. One small
/// state document (<see cref="OutboxState"/>) carries depths, bytes, sequences and drop counters and
/// is rewritten in the same transaction as every change, so start-up reads it instead of scanning.
/// Every operation runs under one lock; enqueues queue themselves and whoever holds the lock
/// commits everything queued in one transaction (group commit) and waits until it is on disk, one
/// fsync for the whole group (<see cref="DurableLiteDatabase"/>), before anyone is told "Accepted".
/// </remarks>
internal sealed partial class LiteDbOutbox : IOutbox, IOutboxStampState, IDisposable
{
    /// <summary>Stream of the outbox's own DataLossReports.</summary>
    public const string DataLossStream = "data-loss";

    /// <summary>Stream of the outbox's own alarms (DeviceEvent).</summary>
    public const string AlarmStream = "outbox";

    private const int TelemetryIndex = 4;
    private const int MaxBatch = 4096;
    private const int BulkBatch = 20_000;

    private readonly OutboxOptions _options;
    private readonly OutboxClassSettings[] _classes;
    private readonly string _path;
    private readonly string _deviceId;
    private readonly TimeProvider _timeProvider;
    private readonly MonotonicMessageIdGenerator _ids;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly ConcurrentQueue<PendingEnqueue> _pending = new();
    private readonly LeaseScheduler _scheduler;
    private readonly long[] _lastAlarmMs = new long[OutboxClassDefaults.All.Length];

    private DurableLiteDatabase? _store;
    private LiteDatabase? _database;
    private ILiteCollection<BsonDocument>[] _queues = [];
    private ILiteCollection<BsonDocument>? _stateCollection;
    private OutboxState _state = new();
    private bool _openAttempted;
    private bool _disposed;
    private DurabilityState _durabilityState = DurabilityState.Ok;
    private string? _quarantinedFile;
    private long _freeDiskBytes = long.MaxValue;
    private bool _diskLowAlarmed;
    private long _lastEnqueueMs;
    private TaskCompletionSource _signal = NewSignal();

    public LiteDbOutbox(
        IOptions<OutboxOptions> options,
        IOptions<GatewayOptions> gateway,
        TimeProvider timeProvider,
        MonotonicMessageIdGenerator ids,
        ILogger<LiteDbOutbox> logger)
    {
        _options = options.Value;
        _classes = OutboxClassDefaults.Resolve(_options);
        _path = Path.GetFullPath(Path.Combine(gateway.Value.DataDirectory, _options.FileName));
        _deviceId = gateway.Value.DeviceId;
        _timeProvider = timeProvider;
        _ids = ids;
        _logger = logger;
        _scheduler = new LeaseScheduler(_classes);
        FreeDiskProbe = ProbeFreeDisk;
    }

    /// <summary>Full path of the data file.</summary>
    public string DataFilePath => _path;

    /// <summary>Effective per-class settings, indexed like <see cref="OutboxClassDefaults.All"/>.</summary>
    public IReadOnlyList<OutboxClassSettings> Classes => _classes;

    /// <summary>Returns free bytes on the data volume (replaceable in tests).</summary>
    internal Func<long> FreeDiskProbe { get; set; }

    public ValueTask<EnqueueResult> EnqueueAsync(Envelope envelope, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var item = PendingEnqueue.From(envelope, isInternal: false);
        _pending.Enqueue(item);
        lock (_gate)
        {
            while (item.Result is null)
            {
                ProcessPendingLocked();
            }

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
                sequence = 0;
                return false;
            }

            sequence = _state.Sequences.GetValueOrDefault(stream);
            return true;
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

            _disposed = true;
            _store?.Dispose();
            _store = null;
            _database = null;
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private long NowMs() => _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();

    private void Signal() => Interlocked.Exchange(ref _signal, NewSignal()).TrySetResult();

    private static UInt128 KeyOf(byte[] id) => BinaryPrimitives.ReadUInt128BigEndian(id);

    private static int CompareIds(byte[] left, byte[] right) => left.AsSpan().SequenceCompareTo(right);

    private static long SizeOf(BsonDocument document) => document["b"].AsBinary.Length + PendingEnqueue.OverheadBytes;

    private bool EnsureOpenLocked()
    {
        if (_disposed)
        {
            return false; // shutting down: refuse (counted) rather than throw at late callers
        }

        if (_database is not null)
        {
            return true;
        }

        if (_openAttempted)
        {
            return false; // retried by the maintenance loop (ReopenIfUnavailable), not on every call
        }

        OpenLocked();
        return _database is not null;
    }

    private void OpenLocked()
    {
        _openAttempted = true;
        var now = _timeProvider.GetUtcNow();
        DurableLiteDatabase store;
        OutboxState state;
        string? quarantined = null;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            store = OutboxStoreFile.OpenAndCheck(_path, _options.CheckpointPages, out state);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException && File.Exists(_path))
        {
            try
            {
                quarantined = OutboxStoreFile.Quarantine(_path, now);
                Log.StoreQuarantined(_logger, ex, _path, quarantined);
                _durabilityState = DurabilityState.Degraded;
                _quarantinedFile = quarantined;
                store = OutboxStoreFile.OpenAndCheck(_path, _options.CheckpointPages, out state);
            }
            catch (Exception second) when (second is not OutOfMemoryException)
            {
                Log.StoreUnavailable(_logger, second, _path);
                _durabilityState = DurabilityState.Degraded;
                return;
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.StoreUnavailable(_logger, ex, _path);
            _durabilityState = DurabilityState.Degraded;
            return;
        }

        var database = store.Database;
        _store = store;
        _database = database;
        _stateCollection = database.GetCollection(OutboxStoreFile.StateCollection);
        _queues = Enumerable.Range(0, OutboxClassDefaults.All.Length)
            .Select(i => database.GetCollection(OutboxStoreFile.CollectionFor(i)))
            .ToArray();
        if (store.FallbackReason is { } reason)
        {
            Log.DurableWaitFallback(_logger, reason);
        }

        // Drops counted while the store was unavailable are carried into the opened state.
        foreach (var (key, loss) in _state.PendingLosses)
        {
            state.DropTotals[key] = state.DropTotals.GetValueOrDefault(key) + loss.Count;
            if (!state.PendingLosses.TryGetValue(key, out var merged))
            {
                state.PendingLosses[key] = loss;
            }
            else
            {
                merged.Count += loss.Count;
                merged.FirstCapturedMs = Math.Min(merged.FirstCapturedMs, loss.FirstCapturedMs);
                merged.LastCapturedMs = Math.Max(merged.LastCapturedMs, loss.LastCapturedMs);
                merged.Stream = merged.Stream == loss.Stream ? merged.Stream : string.Empty;
            }
        }

        _state = state;
        if (state.HighWaterId is { } highWater)
        {
            _ids.EnsureAfter(highWater);
        }

        _lastEnqueueMs = NowMs(); // idle windows (checkpoint, compaction) count from start-up
        RefreshFreeDiskLocked();
        Log.StoreOpened(_logger, _path, state.Count.Sum(), state.Bytes.Sum());
        if (quarantined is not null)
        {
            RaiseQuarantineAlarmLocked(quarantined);
        }

        Signal(); // whatever was queued before the restart is leasable now
    }

    /// <summary>Opens a fresh store after a runtime quarantine and raises the same alarm as at start-up.</summary>
    private void OpenFreshAfterQuarantineLocked()
    {
        var carried = _state;
        OpenLocked();
        if (_database is null)
        {
            return;
        }

        // OpenLocked carried the unreported drops over; keep the lifetime totals as well (the
        // fresh file starts from zero, so the carried totals are the whole story).
        _state.AcceptedTotal += carried.AcceptedTotal;
        _state.AcknowledgedTotal += carried.AcknowledgedTotal;
        foreach (var (key, count) in carried.DropTotals)
        {
            _state.DropTotals[key] = count;
        }

        if (_quarantinedFile is not null)
        {
            RaiseQuarantineAlarmLocked(_quarantinedFile);
        }
    }

    private void RaiseQuarantineAlarmLocked(string quarantined)
    {
        var envelope = NewInternalEnvelope(AlarmStream, PriorityClass.Alert, _state.Sequences.GetValueOrDefault(AlarmStream) + 1);
        envelope.Event = new DeviceEvent
        {
            Type = "outbox.quarantined",
            Detail = "The outbox store was unreadable at start-up; it was moved aside and a fresh store opened. Messages queued in it were not sent.",
            Attributes = { ["quarantined_file"] = Path.GetFileName(quarantined), ["durability"] = "degraded" },
        };
        WriteBatchLocked([PendingEnqueue.From(envelope, isInternal: true)]);
    }

    private Envelope NewInternalEnvelope(string stream, PriorityClass priority, ulong sequence)
    {
        var now = _timeProvider.GetUtcNow();
        var expiry = _classes[OutboxClassDefaults.IndexOf(priority)].Expiry;
        return new Envelope
        {
            MessageId = _ids.NextString(),
            DeviceId = _deviceId,
            Stream = stream,
            Sequence = sequence,
            CapturedAt = Timestamp.FromDateTimeOffset(now),
            TimeSource = TimeSource.Local,
            Priority = priority,
            ExpiresAt = Timestamp.FromDateTimeOffset(now + expiry),
        };
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

    /// <summary>Decides every item of the batch and commits the accepted ones in one durable transaction.</summary>
    private void WriteBatchLocked(List<PendingEnqueue> batch)
    {
        if (!EnsureOpenLocked())
        {
            foreach (var item in batch)
            {
                item.Result = EnqueueResult.RefusedStoreUnavailable;
                if (!item.IsInternal)
                {
                    _state.RecordLoss(item.ClassIndex, "refused", 1, item.CapturedMs, item.Stream);
                }
            }

            return;
        }

        var database = _database!;
        var nowMs = NowMs();
        var accepted = 0;
        var thinned = 0;
        var evicted = 0;
        database.BeginTrans();
        try
        {
            // Decide every item first (quota, eviction), then insert per class in one engine call.
            var inserts = new List<BsonDocument>[_queues.Length];
            foreach (var item in batch)
            {
                if (DecideLocked(item, nowMs, inserts, ref thinned, ref evicted))
                {
                    accepted++;
                }
            }

            for (var c = 0; c < inserts.Length; c++)
            {
                if (inserts[c] is { Count: > 0 } documents)
                {
                    _queues[c].Insert(documents);
                }
            }

            SaveStateLocked();
            database.Commit();
            if (accepted > 0)
            {
                _store!.WaitDurable(); // one fsync for every message of the group
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            RecoverFromWriteFailureLocked(ex, batch);
            return;
        }

        if (accepted > 0)
        {
            _lastEnqueueMs = nowMs;
            Signal();
        }

        if (thinned + evicted > 0)
        {
            Log.TelemetryReduced(_logger, thinned, evicted);
        }
    }

    private void RecoverFromWriteFailureLocked(Exception ex, List<PendingEnqueue> batch)
    {
        try
        {
            _database?.Rollback();
        }
        catch (Exception rollback) when (rollback is not OutOfMemoryException)
        {
            _logger.LogDebug(rollback, "Rollback after a failed outbox write also failed");
        }

        ReloadStateLocked();
        Log.WriteFailed(_logger, ex, batch.Count);
        foreach (var item in batch)
        {
            item.Result = EnqueueResult.RefusedStoreUnavailable;
            if (!item.IsInternal)
            {
                _state.RecordLoss(item.ClassIndex, "refused", 1, item.CapturedMs, item.Stream);
            }
        }
    }

    private void ReloadStateLocked()
    {
        try
        {
            _state = OutboxState.FromDocument(_stateCollection?.FindById(OutboxState.DocumentId));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _logger.LogDebug(ex, "Re-reading the outbox state failed; keeping the in-memory copy");
        }

        Array.Clear(_cursors);
    }

    /// <summary>Applies expiry, disk reserve and quota to one item and queues its document for insert if it passes.</summary>
    private bool DecideLocked(PendingEnqueue item, long nowMs, List<BsonDocument>[] inserts, ref int thinned, ref int evicted)
    {
        var c = item.ClassIndex;
        var settings = _classes[c];
        var expiresMs = item.ExpiresMs ?? item.CapturedMs + (long)settings.Expiry.TotalMilliseconds;
        if (expiresMs <= nowMs)
        {
            _state.RecordLoss(c, "expired", 1, item.CapturedMs, item.Stream);
            item.Result = EnqueueResult.RefusedExpired;
            return false;
        }

        if (!item.IsInternal && DiskReserveRefuses(c))
        {
            _state.RecordLoss(c, "refused", 1, item.CapturedMs, item.Stream);
            item.Result = EnqueueResult.RefusedDiskReserve;
            if (ShouldAlarm(c, nowMs))
            {
                Log.DiskReserveRefused(_logger, _freeDiskBytes, _options.FreeDiskReserveBytes, settings.Priority);
            }

            return false;
        }

        if (!item.IsInternal && _state.Bytes[c] + item.Size > settings.QuotaBytes)
        {
            if (c == TelemetryIndex)
            {
                MakeTelemetryRoomLocked(item.Size, nowMs, ref thinned, ref evicted);
            }

            if (_state.Bytes[c] + item.Size > settings.QuotaBytes)
            {
                _state.RecordLoss(c, "refused", 1, item.CapturedMs, item.Stream);
                item.Result = EnqueueResult.RefusedQuota;
                if (ShouldAlarm(c, nowMs))
                {
                    Log.QuotaRefused(_logger, settings.Priority, settings.QuotaBytes, _state.DropTotals.GetValueOrDefault((c, "refused")));
                }

                return false;
            }
        }

        // Ids above the high-water mark cannot be stored yet; only a replayed id needs the lookup.
        if (_state.HighWaterId is { } highWater && CompareIds(item.Id, highWater) <= 0 && _queues[c].FindById(item.Id) is not null)
        {
            item.Result = EnqueueResult.Accepted;
            return false;
        }

        (inserts[c] ??= []).Add(new BsonDocument
        {
            ["_id"] = item.Id,
            ["s"] = item.Stream,
            ["c"] = item.CapturedMs,
            ["x"] = expiresMs,
            ["b"] = item.Payload,
        });
        _state.Count[c]++;
        _state.Bytes[c] += item.Size;
        _state.AcceptedTotal++;
        if (item.Sequence > _state.Sequences.GetValueOrDefault(item.Stream))
        {
            _state.Sequences[item.Stream] = item.Sequence;
        }

        if (_state.HighWaterId is null || CompareIds(item.Id, _state.HighWaterId) > 0)
        {
            _state.HighWaterId = item.Id;
        }

        // A message committed behind the lease cursor (a concurrent producer's id was issued
        // earlier but committed later) must not be skipped: restart that class's scan.
        if (_cursors[c] is { } cursor && CompareIds(item.Id, cursor) <= 0)
        {
            _cursors[c] = null;
        }

        item.Result = EnqueueResult.Accepted;
        return true;
    }

    private bool ShouldAlarm(int classIndex, long nowMs)
    {
        if (nowMs - _lastAlarmMs[classIndex] < (long)_options.DataLossReportInterval.TotalMilliseconds && _lastAlarmMs[classIndex] != 0)
        {
            return false;
        }

        _lastAlarmMs[classIndex] = nowMs;
        return true;
    }

    /// <summary>
    /// Refuse lowest classes first as the disk fills: below the reserve Telemetry and Bulk, below
    /// half of it Read and Event too; Emergency and Alert are always stored while LiteDB can write.
    /// </summary>
    private bool DiskReserveRefuses(int classIndex)
    {
        var reserve = _options.FreeDiskReserveBytes;
        var free = _freeDiskBytes;
        if (reserve <= 0 || free >= reserve)
        {
            return false;
        }

        return OutboxClassDefaults.All[classIndex] switch
        {
            PriorityClass.Telemetry or PriorityClass.Bulk => true,
            PriorityClass.Read or PriorityClass.Event => free < reserve / 2,
            _ => false,
        };
    }

    private void SaveStateLocked() => _stateCollection!.Upsert(_state.ToDocument());

    /// <summary>
    /// Telemetry at quota: free the shortfall plus 5% of the quota (so this does not run on every
    /// message). First THIN: walk the oldest not-yet-thinned history (older than the live window)
    /// in stretches and drop every other message, halving its density while keeping its time
    /// coverage; the watermark makes each stretch thin only once. Only when no history is left to
    /// thin, EVICT oldest-first. Leased (in-flight) messages are never touched.
    /// </summary>
    private void MakeTelemetryRoomLocked(long needed, long nowMs, ref int thinned, ref int evicted)
    {
        const int c = TelemetryIndex;
        var quota = _classes[c].QuotaBytes;
        var target = _state.Bytes[c] + needed - quota + (quota / 20);
        var freed = 0L;
        var boundary = LiveBoundary(nowMs);
        var queue = _queues[c];
        while (freed < target)
        {
            var from = _state.ThinnedThrough[c];
            var source = from is null ? queue.Find(Query.All(Query.Ascending)) : queue.Find(Query.GT("_id", from));
            var stretch = new List<BsonDocument>();
            foreach (var document in source)
            {
                var id = document["_id"].AsBinary;
                if (CompareIds(id, boundary) >= 0)
                {
                    break;
                }

                if (!_leases.ContainsKey(KeyOf(id)))
                {
                    stretch.Add(document);
                    if (stretch.Count == _options.ThinningStretch)
                    {
                        break;
                    }
                }
            }

            if (stretch.Count < 2)
            {
                break;
            }

            for (var i = 1; i < stretch.Count; i += 2)
            {
                var bytes = DeleteCountedLocked(c, stretch[i], "thinned");
                freed += bytes;
                thinned += bytes > 0 ? 1 : 0;
            }

            _state.ThinnedThrough[c] = stretch[^1]["_id"].AsBinary;
        }

        while (freed < target)
        {
            var victims = queue.Find(Query.All(Query.Ascending))
                .Where(d => !_leases.ContainsKey(KeyOf(d["_id"].AsBinary)))
                .Take(256)
                .ToList();
            if (victims.Count == 0)
            {
                break;
            }

            var before = freed;
            foreach (var victim in victims)
            {
                var bytes = DeleteCountedLocked(c, victim, "evicted");
                freed += bytes;
                evicted += bytes > 0 ? 1 : 0;
                if (freed >= target)
                {
                    break;
                }
            }

            if (freed == before)
            {
                break; // nothing could be deleted: refuse rather than spin
            }
        }
    }

    /// <summary>Deletes a stored message as a counted drop; returns the bytes freed.</summary>
    private long DeleteCountedLocked(int classIndex, BsonDocument document, string reason)
    {
        if (!_queues[classIndex].Delete(document["_id"]))
        {
            return 0;
        }

        var size = SizeOf(document);
        _state.Count[classIndex]--;
        _state.Bytes[classIndex] -= size;
        _state.RecordLoss(classIndex, reason, 1, document["c"].AsInt64, document["s"].AsString);
        return size;
    }

    private byte[] LiveBoundary(long nowMs) =>
        MonotonicMessageIdGenerator.LowerBoundFor(nowMs - (long)_options.LiveWindow.TotalMilliseconds);

    private long ProbeFreeDisk()
    {
        var directory = Path.GetDirectoryName(_path)!;
        return new DriveInfo(directory).AvailableFreeSpace;
    }

    private void RefreshFreeDiskLocked()
    {
        try
        {
            _freeDiskBytes = FreeDiskProbe();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            _logger.LogDebug(ex, "Free disk probe failed; keeping the last value");
        }

        var low = _options.FreeDiskReserveBytes > 0 && _freeDiskBytes < _options.FreeDiskReserveBytes;
        if (low && !_diskLowAlarmed)
        {
            Log.DiskLow(_logger, _freeDiskBytes, _options.FreeDiskReserveBytes);
        }

        _diskLowAlarmed = low;
    }
}
