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
    private const long PageBytes = 8192;
    private const int MinimumCheckpointPages = 16;

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

    /// <summary>
    /// LiteDB's automatic checkpoint size: <see cref="OutboxOptions.CheckpointPages"/>, but at most half the
    /// urgent reserve, so the log that a filling disk finds normally fits in the reserve it releases
    /// (<see cref="CheckpointIfRoom"/>). The default reserve (16 MiB) leaves the default (1000 pages) as it is.
    /// </summary>
    public static int CheckpointPagesFor(OutboxOptions options) =>
        options.UrgentReserveBytes > 0
            ? (int)Math.Clamp(options.UrgentReserveBytes / 2 / PageBytes, MinimumCheckpointPages, options.CheckpointPages)
            : options.CheckpointPages;

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
    /// On a full disk LiteDB's log only grows: every commit (the alarm, urgent messages, deletes) appends
    /// pages that only a checkpoint gives back, so without one the housekeeping would spend the reserve
    /// meant for Emergency and Alert in minutes. A checkpoint adds to the data file at most the log's own
    /// size (the pages beyond its end) and then empties the log, so it runs whenever that much is free.
    /// </summary>
    public void CheckpointIfRoom(long freeBytes)
    {
        var log = _store.LogFilePath;
        var length = File.Exists(log) ? new FileInfo(log).Length : 0;
        if (length > 0 && freeBytes >= length)
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
