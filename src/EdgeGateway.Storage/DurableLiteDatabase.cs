using LiteDB;
using LiteDB.Engine;

namespace EdgeGateway.Storage;

/// <summary>
/// A LiteDB 5.0.x database (this process only) whose commits can be made power-cut durable with one
/// fsync each. LiteDB's <c>Commit()</c> hands the pages to a background writer and may return before
/// they are written; the writer then fsyncs about once per page, and signals "done" before its last
/// fsync. <see cref="WaitDurable"/> waits for that writer and fsyncs the log file (<c>{name}-log{ext}</c>,
/// LiteDB's own name, opened by this class and passed as <c>EngineSettings.LogStream</c>) once.
/// Several transactions committed before one <see cref="WaitDurable"/> share that fsync (group commit).
/// </summary>
/// <remarks>
/// Not thread-safe: the owner serialises writes, commits, <see cref="Rebuild"/> and <see cref="Dispose"/>
/// (both current owners hold one lock around every operation). If LiteDB's internals are not where
/// LiteDB 5.0.20 keeps them, every durable wait falls back to <c>Checkpoint()</c> (slower, equally safe)
/// and <see cref="FallbackReason"/> says why, for the owner to log.
/// </remarks>
public sealed class DurableLiteDatabase : IDisposable
{
    private readonly DurableLogStream _log;
    private readonly LiteDbWriterQueue _writer;
    private bool _disposed;

    private DurableLiteDatabase(string path, LiteDatabase database, DurableLogStream log, LiteDbWriterQueue writer)
    {
        DataFilePath = path;
        Database = database;
        _log = log;
        _writer = writer;
    }

    /// <summary>The database: use it as usual, then <see cref="CommitDurably"/> or <see cref="WaitDurable"/>.</summary>
    public LiteDatabase Database { get; }

    /// <summary>Full path of the data file.</summary>
    public string DataFilePath { get; }

    /// <summary>Full path of the log (WAL) file.</summary>
    public string LogFilePath => _log.FilePath;

    /// <summary>Why every durable wait is a checkpoint (LiteDB's writer queue not reachable); null normally.</summary>
    public string? FallbackReason => _writer.FallbackReason;

    /// <summary>True when a failed LiteDB writer fails the durable wait instead of blocking it.</summary>
    public bool DetectsWriterFailure => _writer.DetectsWriterFailure;

    /// <summary>The log stream (tests count its fsyncs).</summary>
    internal DurableLogStream LogStream => _log;

    /// <summary>
    /// Opens (or creates) the database at <paramref name="path"/>. A file that cannot be read throws
    /// here, with nothing left open, so the caller can move it aside.
    /// </summary>
    /// <param name="path">The data file, e.g. <c>/var/lib/app/outbox.db</c>.</param>
    /// <param name="collation">Collation for a NEW file (an existing file keeps its own); null for LiteDB's default.</param>
    public static DurableLiteDatabase Open(string path, Collation? collation = null) =>
        Open(path, collation, LiteDbWriterQueue.DefaultWaitMethod);

    /// <summary>LiteDB's log file name for <paramref name="path"/> (<c>fleet.db</c> -&gt; <c>fleet-log.db</c>).</summary>
    public static string LogPathFor(string path) =>
        Path.Combine(Path.GetDirectoryName(path) ?? ".", Path.GetFileNameWithoutExtension(path) + "-log" + Path.GetExtension(path));

    /// <summary>Open with a chosen writer-queue wait method (tests force the fall-back with a missing one).</summary>
    internal static DurableLiteDatabase Open(string path, Collation? collation, string waitMethod)
    {
        path = Path.GetFullPath(path);
        var log = new DurableLogStream(LogPathFor(path));
        try
        {
            var database = new LiteDatabase(new LiteEngine(new EngineSettings
            {
                Filename = path,
                LogStream = log,
                Collation = collation,
                AutoRebuild = false,
            }));
            return new DurableLiteDatabase(path, database, log, new LiteDbWriterQueue(database, waitMethod));
        }
        catch
        {
            log.Release();
            throw;
        }
    }

    /// <summary>Commits the open transaction and returns once it (and everything before it) is on disk.</summary>
    public void CommitDurably()
    {
        Database.Commit();
        WaitDurable();
    }

    /// <summary>
    /// Returns once everything committed so far is on disk: LiteDB's writer has written every page to the
    /// log file (kill -9 safe), then one fsync of the log (power-cut safe).
    /// </summary>
    public void WaitDurable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _writer.WaitForWrites();
        _log.FlushToDisk();
    }

    /// <summary>
    /// Makes what is committed so far durable from a thread other than the owner's, while the owner goes
    /// on (a "sync behind": the owner's next <see cref="WaitDurable"/> then finds little left to flush).
    /// Waits for LiteDB's writer, then fsyncs the log if anything is unsynced; returns whether it fsynced.
    /// Does nothing (false) in the checkpoint fall-back, which is not safe beside the owner. May throw
    /// <see cref="ObjectDisposedException"/> or <see cref="IOException"/> when the owner closes the
    /// database meanwhile or LiteDB's writer failed: the caller ignores what it did not need durable.
    /// </summary>
    public bool SyncBehind()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_writer.FallbackReason is not null)
        {
            return false;
        }

        _writer.WaitForWrites();
        if (_log.UnsyncedWrites == 0)
        {
            return false;
        }

        _log.FlushToDisk();
        return true;
    }

    /// <summary>
    /// Rewrites the data file without free pages (LiteDB <c>Rebuild</c>, keeping the collation) and
    /// returns the bytes saved. LiteDB leaves the previous file as <c>{name}-backup{ext}</c>.
    /// </summary>
    public long Rebuild()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);

        // An empty log first: the rebuild then never reads (nor disposes) the log stream, and nothing
        // committed is left in the file LiteDB renames.
        Database.Checkpoint();
        var directory = Path.GetDirectoryName(LogFilePath) ?? ".";
        var backupPattern = Path.GetFileNameWithoutExtension(LogFilePath) + "-backup*" + Path.GetExtension(LogFilePath);
        var backupsBefore = Directory.GetFiles(directory, backupPattern).ToHashSet(StringComparer.Ordinal);

        var saved = Database.Rebuild(new RebuildOptions { Collation = Database.Collation });

        // LiteDB renamed the (empty) log file aside and re-opened on our stream, whose handle followed
        // the rename: point it back at the real name before anything is written, drop the empty copy.
        _log.Reopen();
        foreach (var backup in Directory.GetFiles(directory, backupPattern))
        {
            if (!backupsBefore.Contains(backup) && new FileInfo(backup).Length == 0)
            {
                File.Delete(backup);
            }
        }

        return saved;
    }

    /// <summary>Closes the database (LiteDB checkpoints on close) and then the log file.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            Database.Dispose();
        }
        finally
        {
            // After an I/O error LiteDB can leave transactions whose finalizers would crash the process.
            AbandonedTransactions = LiteDbAbandonedTransactions.Abandon(Database);
            _log.Release();
        }
    }

    /// <summary>
    /// Transactions LiteDB still held open when the database closed (after an I/O error closed its engine
    /// mid-transaction); their finalizers are suppressed (see <see cref="LiteDbAbandonedTransactions"/>).
    /// </summary>
    public int AbandonedTransactions { get; private set; }
}
