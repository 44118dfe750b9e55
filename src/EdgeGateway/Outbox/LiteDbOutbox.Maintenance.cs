using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using Google.Protobuf.WellKnownTypes;
using LiteDB;

namespace EdgeGateway.Outbox;

/// <summary>Housekeeping: expiry sweep, data-loss reports, disk watch, checkpoint, idle compaction, statistics.</summary>
internal sealed partial class LiteDbOutbox
{
    private const int ExpirySweepLimit = 10_000;
    private const int ExpirySweepPatience = 64;

    private long _lastReportFlushMs = long.MinValue;
    private long _lastCompactionMs = long.MinValue;
    private OutboxStatistics? _statistics;

    /// <summary>The latest statistics snapshot (refreshed by every maintenance pass; built on first use).</summary>
    public OutboxStatistics CurrentStatistics => Volatile.Read(ref _statistics) ?? GetStatistics();

    /// <summary>Opens the store if needed (retrying an unavailable one) and does one round of housekeeping.</summary>
    public void RunMaintenance()
    {
        lock (_gate)
        {
            if (_database is null && !_disposed)
            {
                _openAttempted = false;
            }

            if (!EnsureOpenLocked())
            {
                _statistics = BuildStatisticsLocked();
                return;
            }

            var nowMs = NowMs();
            RefreshFreeDiskLocked();
            SweepExpiredLocked(nowMs);
            if (_lastReportFlushMs == long.MinValue || nowMs - _lastReportFlushMs >= (long)_options.DataLossReportInterval.TotalMilliseconds)
            {
                FlushDataLossReportsLocked();
            }

            CheckpointIfIdleLocked(nowMs);
            CompactIfIdleLocked(nowMs);
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
            }
        }
    }

    /// <summary>Builds a fresh statistics snapshot.</summary>
    public OutboxStatistics GetStatistics()
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                EnsureOpenLocked();
            }

            _statistics = BuildStatisticsLocked();
            return _statistics;
        }
    }

    private void FlushDataLossReportsLocked()
    {
        _lastReportFlushMs = NowMs();
        if (_state.PendingLosses.Count == 0)
        {
            return;
        }

        var items = new List<PendingEnqueue>();
        var reported = new List<(PriorityClass Priority, string Reason, ulong Count)>();
        var sequence = _state.Sequences.GetValueOrDefault(DataLossStream);
        foreach (var ((c, reason), loss) in _state.PendingLosses)
        {
            var envelope = NewInternalEnvelope(DataLossStream, PriorityClass.Event, ++sequence);
            envelope.DataLoss = new DataLossReport
            {
                Priority = OutboxClassDefaults.All[c],
                Reason = reason,
                Count = loss.Count,
                FirstCapturedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(loss.FirstCapturedMs)),
                LastCapturedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(loss.LastCapturedMs)),
                Stream = loss.Stream ?? string.Empty,
            };
            items.Add(PendingEnqueue.From(envelope, isInternal: true));
            reported.Add((OutboxClassDefaults.All[c], reason, loss.Count));
        }

        // Cleared in memory now, written with the reports in one transaction; a failed write
        // reloads the state document, which still holds them.
        _state.PendingLosses.Clear();
        WriteBatchLocked(items);
        if (items.All(i => i.Result == EnqueueResult.Accepted))
        {
            foreach (var (priority, reason, count) in reported)
            {
                Log.DataLossReported(_logger, priority, reason, count);
            }
        }
    }

    /// <summary>
    /// Expiry is per class and counted from capture, so within a class the oldest ids expire
    /// first: walk each class from its head and stop once a run of live messages shows the rest
    /// is younger. Messages the lease pass meets expired are dropped there too.
    /// </summary>
    private void SweepExpiredLocked(long nowMs)
    {
        var expired = new List<(int Class, BsonDocument Document)>();
        for (var c = 0; c < _queues.Length; c++)
        {
            if (_state.Count[c] == 0)
            {
                continue;
            }

            var examined = 0;
            var alive = 0;
            foreach (var document in _queues[c].Find(Query.All(Query.Ascending)))
            {
                if (++examined > ExpirySweepLimit)
                {
                    break;
                }

                if (document["x"].AsInt64 > nowMs)
                {
                    if (++alive >= ExpirySweepPatience)
                    {
                        break;
                    }

                    continue;
                }

                alive = 0;
                if (!_leases.ContainsKey(KeyOf(document["_id"].AsBinary)))
                {
                    expired.Add((c, document));
                }
            }
        }

        if (expired.Count > 0)
        {
            DeleteExpiredLocked(expired);
        }
    }

    /// <summary>LiteDB checkpoints by itself every CheckpointPages; when idle, fold the log in now so start-up replays nothing.</summary>
    private void CheckpointIfIdleLocked(long nowMs)
    {
        if (nowMs - _lastEnqueueMs < (long)_options.MaintenanceInterval.TotalMilliseconds)
        {
            return;
        }

        var log = OutboxStoreFile.LogFileFor(_path);
        if (File.Exists(log) && new FileInfo(log).Length > 0)
        {
            _database!.Checkpoint();
        }
    }

    /// <summary>
    /// Rebuild rewrites the whole file, so it runs only in an idle window: nothing enqueued for
    /// CompactionIdleAfter, nothing in flight, at most once per CompactionMinInterval, and only
    /// when the file is big enough to matter and mostly free space.
    /// </summary>
    private void CompactIfIdleLocked(long nowMs)
    {
        if (_leases.Count > 0
            || nowMs - _lastEnqueueMs < (long)_options.CompactionIdleAfter.TotalMilliseconds
            || (_lastCompactionMs != long.MinValue && nowMs - _lastCompactionMs < (long)_options.CompactionMinInterval.TotalMilliseconds))
        {
            return;
        }

        // Worth it only when most of the file is free space (typically after a backlog drained);
        // rewriting a big live backlog would hold the lock for a long time for little gain.
        var before = File.Exists(_path) ? new FileInfo(_path).Length : 0;
        if (before < _options.CompactionMinFileBytes || _state.Bytes.Sum() * 4 > before)
        {
            return;
        }

        _lastCompactionMs = nowMs;
        _store!.Rebuild(); // keeps the log stream on outbox-log.db (LiteDB renames that file aside)
        Log.Compacted(_logger, before, new FileInfo(_path).Length);
    }

    private OutboxStatistics BuildStatisticsLocked()
    {
        var now = _timeProvider.GetUtcNow();
        var classes = new List<OutboxClassStatistics>(OutboxClassDefaults.All.Length);
        for (var c = 0; c < OutboxClassDefaults.All.Length; c++)
        {
            var age = 0L;
            if (_database is not null && _state.Count[c] > 0
                && _queues[c].Find(Query.All(Query.Ascending), 0, 1).FirstOrDefault() is { } oldest)
            {
                age = Math.Max(0, now.ToUnixTimeMilliseconds() - MonotonicMessageIdGenerator.TimestampOf(oldest["_id"].AsBinary));
            }

            classes.Add(new OutboxClassStatistics(
                OutboxClassDefaults.All[c], _state.Count[c], _state.Bytes[c], age, _classes[c].QuotaBytes, _leasedCount[c]));
        }

        var drops = _state.DropTotals
            .OrderBy(d => d.Key.Class).ThenBy(d => d.Key.Reason, StringComparer.Ordinal)
            .Select(d => new OutboxDropStatistics(OutboxClassDefaults.All[d.Key.Class], d.Key.Reason, d.Value))
            .ToList();
        var log = OutboxStoreFile.LogFileFor(_path);
        return new OutboxStatistics(
            now,
            _durabilityState,
            _quarantinedFile,
            classes,
            drops,
            _state.AcceptedTotal,
            _state.AcknowledgedTotal,
            _freeDiskBytes == long.MaxValue ? 0 : _freeDiskBytes,
            File.Exists(_path) ? new FileInfo(_path).Length : 0,
            File.Exists(log) ? new FileInfo(log).Length : 0,
            _leases.Count);
    }
}
