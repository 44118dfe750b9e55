using EdgeGateway.Outbox.Storage;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Outbox.Housekeeping;

/// <summary>
/// Keeps the file small and start-up quick: folds LiteDB's log into the data file when idle and
/// rebuilds (compacts) the file in a long idle window after a backlog drained.
/// </summary>
/// <remarks>Not thread-safe: runs with the outbox lock held.</remarks>
internal sealed class StoreHygiene
{
    private readonly OutboxStore _store;
    private readonly OutboxOptions _options;
    private readonly ILogger _logger;
    private long _lastCompactionMs = long.MinValue;

    public StoreHygiene(OutboxStore store, OutboxOptions options, ILogger logger)
    {
        _store = store;
        _options = options;
        _logger = logger;
    }

    /// <summary>LiteDB checkpoints by itself every CheckpointPages; when idle, fold the log in now so start-up replays nothing.</summary>
    public void CheckpointIfIdle(long nowMs, long lastEnqueueMs)
    {
        if (nowMs - lastEnqueueMs < (long)_options.MaintenanceInterval.TotalMilliseconds)
        {
            return;
        }

        var log = _store.LogFilePath;
        if (File.Exists(log) && new FileInfo(log).Length > 0)
        {
            _store.Checkpoint();
        }
    }

    /// <summary>
    /// Rebuild rewrites the whole file, so it runs only in an idle window: nothing enqueued for
    /// CompactionIdleAfter, nothing in flight, at most once per CompactionMinInterval, and only
    /// when the file is big enough to matter and mostly free space.
    /// </summary>
    public void CompactIfIdle(long nowMs, long lastEnqueueMs, int leased)
    {
        if (leased > 0
            || nowMs - lastEnqueueMs < (long)_options.CompactionIdleAfter.TotalMilliseconds
            || (_lastCompactionMs != long.MinValue && nowMs - _lastCompactionMs < (long)_options.CompactionMinInterval.TotalMilliseconds))
        {
            return;
        }

        // Worth it only when most of the file is free space (typically after a backlog drained);
        // rewriting a big live backlog would hold the lock for a long time for little gain.
        var path = _store.DataFilePath;
        var before = File.Exists(path) ? new FileInfo(path).Length : 0;
        if (before < _options.CompactionMinFileBytes || _store.State.Bytes.Sum() * 4 > before)
        {
            return;
        }

        _lastCompactionMs = nowMs;
        _store.Rebuild(); // keeps the log stream on outbox-log.db (LiteDB renames that file aside)
        Log.Compacted(_logger, before, new FileInfo(path).Length);
    }
}
