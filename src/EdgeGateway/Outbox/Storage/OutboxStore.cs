using EdgeGateway.Contracts.V1;
using EdgeGateway.Storage;
using LiteDB;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Outbox.Storage;

/// <summary>
/// The outbox's LiteDB file: opening it (quarantining a corrupt one), the per-class collections,
/// the <see cref="OutboxState"/> document, transactions and durable commits.
/// </summary>
/// <remarks>
/// Not thread-safe: every member is called with the outbox lock held (<see cref="LiteDbOutbox"/>).
/// </remarks>
internal sealed class OutboxStore : IDisposable
{
    /// <summary>Drop reason of a message that was never stored (quota, disk, store unavailable).</summary>
    public const string RefusedReason = "refused";

    private readonly string _path;
    private readonly int _checkpointPages;
    private readonly ILogger _logger;

    private DurableLiteDatabase? _file;
    private LiteDatabase? _database;
    private ILiteCollection<BsonDocument>[] _queues = [];
    private ILiteCollection<BsonDocument>? _stateCollection;
    private bool _unavailable;
    private bool _openDiskFullLogged;

    // Refusals recorded outside a transaction since the last commit: a file that fails before its
    // next commit never holds them, so they are carried over the reopen.
    private readonly Dictionary<(int Class, string Reason), PendingLoss> _uncommitted = [];

    // The state document as the file holds it (last read or committed), and the one written in the open
    // transaction: what the state falls back to when a rollback cannot read the file's own back.
    private BsonDocument? _committedState;
    private BsonDocument? _savedState;

    public OutboxStore(string path, int checkpointPages, ILogger logger)
    {
        _path = path;
        _checkpointPages = checkpointPages;
        _logger = logger;
    }

    /// <summary>Full path of the data file.</summary>
    public string DataFilePath => _path;

    /// <summary>Full path of LiteDB's log (WAL) file beside it.</summary>
    public string LogFilePath => OutboxStoreFile.LogFileFor(_path);

    /// <summary>True while a file is open.</summary>
    public bool IsOpen => _database is not null;

    /// <summary>Depths, sequences and drop counters; always consistent with the committed queues.</summary>
    public OutboxState State { get; private set; } = new();

    /// <summary>
    /// <see cref="DurabilityState.Degraded"/> once a file was quarantined (for good) and while no file
    /// could be opened after an attempt (until one opens).
    /// </summary>
    public DurabilityState Durability => QuarantinedFile is not null || _unavailable ? DurabilityState.Degraded : DurabilityState.Ok;

    /// <summary>
    /// Set when the open file stopped working (LiteDB closes its engine after an I/O error, and every
    /// later call rethrows it): the owner closes and reopens the store (<see cref="CloseAfterFailure"/>).
    /// </summary>
    public Exception? Failure { get; private set; }

    /// <summary>While closed after a failure: the state as it was last known, for statistics only.</summary>
    public OutboxState? LastKnownState { get; private set; }

    /// <summary>The last file moved aside as corrupt, if any.</summary>
    public string? QuarantinedFile { get; private set; }

    /// <summary>The collection of one class (index into <see cref="OutboxClassDefaults.All"/>).</summary>
    public ILiteCollection<BsonDocument> Queue(int classIndex) => _queues[classIndex];

    /// <summary>Accounted size of a stored message (envelope bytes plus document overhead).</summary>
    /// <remarks>A damaged document without its payload counts as the overhead alone: it must still be deletable.</remarks>
    public static long SizeOf(BsonDocument document) =>
        (document["b"] is { IsBinary: true } payload ? payload.AsBinary.Length : 0) + Admission.PendingEnqueue.OverheadBytes;

    /// <summary>
    /// Opens the file; a file that cannot be read is moved aside (<paramref name="quarantined"/>) and
    /// a fresh one opened. Drops counted while no file was open are carried into the opened state.
    /// Returns false (and logs) when no file could be opened.
    /// </summary>
    public bool TryOpen(DateTimeOffset now, out string? quarantined)
    {
        quarantined = null;
        DurableLiteDatabase file;
        OutboxState state;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            file = OutboxStoreFile.OpenAndCheck(_path, _checkpointPages, out state);
        }
        catch (Exception ex) when (StorageErrors.IsDiskFull(ex))
        {
            // A full disk is not a damaged file: never quarantine for it; retried every maintenance
            // pass, logged once until it opens.
            if (!_openDiskFullLogged)
            {
                Log.StoreOpenDiskFull(_logger, ex, _path);
                _openDiskFullLogged = true;
            }

            _unavailable = true;
            return false;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException && File.Exists(_path))
        {
            try
            {
                quarantined = OutboxStoreFile.Quarantine(_path, now);
                Log.StoreQuarantined(_logger, ex, _path, quarantined);
                QuarantinedFile = quarantined;
                file = OutboxStoreFile.OpenAndCheck(_path, _checkpointPages, out state);
            }
            catch (Exception second) when (second is not OutOfMemoryException)
            {
                Log.StoreUnavailable(_logger, second, _path);
                _unavailable = true;
                return false;
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.StoreUnavailable(_logger, ex, _path);
            _unavailable = true;
            return false;
        }

        var database = file.Database;
        _file = file;
        _database = database;
        _stateCollection = database.GetCollection(OutboxStoreFile.StateCollection);
        _queues = Enumerable.Range(0, OutboxClassDefaults.All.Length)
            .Select(i => database.GetCollection(OutboxStoreFile.CollectionFor(i)))
            .ToArray();
        if (file.FallbackReason is { } reason)
        {
            Log.DurableWaitFallback(_logger, reason);
        }

        _committedState = state.ToDocument();
        // Drops counted while the store was unavailable are carried into the opened state.
        foreach (var (key, loss) in State.PendingLosses)
        {
            AddLoss(state, key, loss);
        }

        // None of them is in the file yet: should its next commit fail too, they are carried again.
        _uncommitted.Clear();
        foreach (var (key, loss) in State.PendingLosses)
        {
            _uncommitted[key] = Copy(loss);
        }

        State = state;
        LastKnownState = null;
        Failure = null;
        _unavailable = false;
        _openDiskFullLogged = false;
        return true;
    }

    /// <summary>
    /// Closes a file that stopped working (<see cref="Failure"/>) so it can be opened again. The file is
    /// not moved: what it committed is intact. The in-memory state restarts empty so that only drops
    /// counted from now on, and refusals no commit recorded, are carried into the reopened state (the
    /// file holds the rest); the old state stays readable as <see cref="LastKnownState"/> for statistics meanwhile.
    /// </summary>
    public void CloseAfterFailure()
    {
        Close();
        LastKnownState = State;
        State = new OutboxState();
        foreach (var (key, loss) in _uncommitted)
        {
            State.PendingLosses[key] = loss; // counted in LastKnownState's totals already
        }

        _uncommitted.Clear();
        Failure = null;
    }

    /// <summary>
    /// Counts a message refused outside a transaction (the store unavailable or its write failed):
    /// in the state, and carried over a reopen until a commit holds it.
    /// </summary>
    public void RecordRefusal(int classIndex, long capturedMs, string stream)
    {
        State.RecordLoss(classIndex, RefusedReason, 1, capturedMs, stream);
        var key = (classIndex, RefusedReason);
        if (!_uncommitted.TryGetValue(key, out var loss))
        {
            loss = new PendingLoss();
            _uncommitted[key] = loss;
        }

        loss.Add(1, capturedMs, stream);
    }

    private static PendingLoss Copy(PendingLoss loss) => new()
    {
        Count = loss.Count,
        FirstCapturedMs = loss.FirstCapturedMs,
        LastCapturedMs = loss.LastCapturedMs,
        Stream = loss.Stream,
    };

    private static void AddLoss(OutboxState state, (int Class, string Reason) key, PendingLoss loss)
    {
        state.DropTotals[key] = state.DropTotals.GetValueOrDefault(key) + loss.Count;
        if (!state.PendingLosses.TryGetValue(key, out var merged))
        {
            state.PendingLosses[key] = loss;
            return;
        }

        merged.Count += loss.Count;
        merged.FirstCapturedMs = Math.Min(merged.FirstCapturedMs, loss.FirstCapturedMs);
        merged.LastCapturedMs = Math.Max(merged.LastCapturedMs, loss.LastCapturedMs);
        merged.Stream = merged.Stream == loss.Stream ? merged.Stream : string.Empty;
    }

    /// <summary>
    /// The open file turned out unreadable past its head: close it, move it aside (its queued
    /// messages stay there) and open a fresh one, keeping the lifetime counters and unreported drops.
    /// Returns false when the file could not be moved or no fresh file could be opened.
    /// </summary>
    public bool TryQuarantineAndReopen(Exception failure, DateTimeOffset now)
    {
        Close();
        try
        {
            var quarantined = OutboxStoreFile.Quarantine(_path, now);
            Log.StoreQuarantined(_logger, failure, _path, quarantined);
            QuarantinedFile = quarantined;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.StoreUnavailable(_logger, ex, _path);
            _unavailable = true;
            return false;
        }

        var counters = State;
        State = new OutboxState { AcceptedTotal = counters.AcceptedTotal, AcknowledgedTotal = counters.AcknowledgedTotal };
        foreach (var (key, loss) in counters.PendingLosses)
        {
            State.PendingLosses[key] = loss;
        }

        if (!TryOpen(now, out _))
        {
            foreach (var (key, count) in counters.DropTotals)
            {
                State.DropTotals[key] = count;
            }

            return false;
        }

        // TryOpen carried the unreported drops over; keep the lifetime totals as well (the fresh
        // file starts from zero, so the carried totals are the whole story).
        State.AcceptedTotal += counters.AcceptedTotal;
        State.AcknowledgedTotal += counters.AcknowledgedTotal;
        foreach (var (key, count) in counters.DropTotals)
        {
            State.DropTotals[key] = count;
        }

        return true;
    }

    /// <summary>
    /// Collection <c>dedupe_keys</c>: a second deduplication key per queued message (<c>_id</c> the message id's 16 bytes,
    /// <c>k</c> the key), written by <see cref="LiteDbOutbox.SaveDedupeKey"/>, deleted with the acknowledged or dropped message.
    /// </summary>
    public ILiteCollection<BsonDocument> DedupeKeys => _database!.GetCollection(DedupeKeysCollection);

    /// <summary>Whether <see cref="DedupeKeys"/> may hold a row (one was written or found): an acknowledgement deletes there too.</summary>
    public bool HasDedupeKeys { get; set; }

    /// <summary>Name of <see cref="DedupeKeys"/>.</summary>
    public const string DedupeKeysCollection = "dedupe_keys";

    /// <summary>Starts a transaction.</summary>
    public void Begin() => _database!.BeginTrans();

    /// <summary>Writes the state document (inside the caller's transaction).</summary>
    public void SaveState()
    {
        _savedState = State.ToDocument();
        _stateCollection!.Upsert(_savedState);
    }

    /// <summary>Commits the transaction (in LiteDB's log, not yet necessarily on disk).</summary>
    public void Commit()
    {
        _database!.Commit();
        _committedState = _savedState ?? _committedState;
        _savedState = null;
        _uncommitted.Clear(); // the state document just committed holds them
    }

    /// <summary>
    /// The open file, for a sync behind the lock (<see cref="DurableLiteDatabase.SyncBehind"/>), the one
    /// call made on it without the outbox lock; null while closed.
    /// </summary>
    public DurableLiteDatabase? DurableFile => _file;

    /// <summary>Waits until everything committed is on disk: one fsync for the whole group.</summary>
    public void WaitDurable() => _file!.WaitDurable();

    /// <summary>
    /// Rolls the failed transaction back and re-reads the state document, so the in-memory state
    /// matches the file again. <paramref name="onRollbackFailure"/> hears a rollback that failed too.
    /// </summary>
    public void RollbackAndReload(Action<Exception> onRollbackFailure)
    {
        try
        {
            _database?.Rollback();
        }
        catch (Exception rollback) when (rollback is not OutOfMemoryException)
        {
            onRollbackFailure(rollback);
        }

        _savedState = null;
        try
        {
            State = OutboxState.FromDocument(_stateCollection?.FindById(OutboxState.DocumentId));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The file cannot even be read back: LiteDB has closed its engine (it does after any
            // I/O error, e.g. a full disk), or the page is damaged. The owner closes and reopens it,
            // or quarantines it; meanwhile the state is the last one committed, not the failed
            // transaction's: drops counted in it would be carried over and counted again.
            _logger.LogDebug(ex, "Re-reading the outbox state failed; the store is marked failed");
            Failure ??= ex;
            if (_committedState is null)
            {
                return;
            }

            State = OutboxState.FromDocument(_committedState);
        }

        foreach (var (key, loss) in _uncommitted)
        {
            AddLoss(State, key, Copy(loss)); // refusals no commit holds yet
        }
    }

    /// <summary>Deletes a stored message as a counted drop (inside the caller's transaction); returns the bytes freed.</summary>
    public long DeleteCounted(int classIndex, BsonDocument document, string reason)
    {
        if (!_queues[classIndex].Delete(document["_id"]))
        {
            return 0;
        }

        if (HasDedupeKeys)
        {
            DedupeKeys.Delete(document["_id"]); // an expired or evicted message's key goes with it, as an acknowledged one's does
        }

        var size = SizeOf(document);
        State.Count[classIndex]--;
        State.Bytes[classIndex] -= size;
        // A corrupt message's capture time and stream may be damaged too: it is counted all the same.
        State.RecordLoss(classIndex, reason, 1, document["c"] is { IsInt64: true } captured ? captured.AsInt64 : null, document["s"] is { IsString: true } stream ? stream.AsString : null);
        return size;
    }

    /// <summary>The oldest stored message of a class, or null.</summary>
    public BsonDocument? Oldest(int classIndex) =>
        _database is null ? null : _queues[classIndex].Find(Query.All(Query.Ascending), 0, 1).FirstOrDefault();

    /// <summary>Folds LiteDB's log into the data file.</summary>
    public void Checkpoint() => _database!.Checkpoint();

    /// <summary>Rewrites the data file without free space (keeps the log stream on the log file).</summary>
    public void Rebuild() => _file!.Rebuild();

    /// <summary>Closes the file (the in-memory state is kept).</summary>
    public void Close()
    {
        try
        {
            _file?.Dispose();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Log.ReadFailed(_logger, ex);
        }

        _file = null;
        _database = null;
    }

    /// <summary>Marks the open file as failed (an I/O error escaped a LiteDB call); see <see cref="Failure"/>.</summary>
    public void MarkFailed(Exception failure) => Failure ??= failure;

    public void Dispose() => Close();

    /// <summary>
    /// Deletes <paramref name="documents"/> in one durable transaction, each counted as dropped for
    /// <paramref name="reason"/>; <paramref name="perClass"/> says how many per class. False if the write
    /// failed: rolled back, state reloaded, logged.
    /// </summary>
    /// <exception cref="StoreDamagedException">One of them was not found by its own id (after the others are deleted).</exception>
    public bool TryDeleteAllCounted(IReadOnlyCollection<(int Class, BsonDocument Document)> documents, string reason, out int[] perClass)
    {
        perClass = new int[OutboxClassDefaults.All.Length];
        try
        {
            Begin();
            foreach (var (c, document) in documents)
            {
                if (DeleteCounted(c, document, reason) > 0)
                {
                    perClass[c]++;
                }
            }

            SaveState();
            Commit();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            RollbackAndReload(rollback => Log.MaintenanceFailed(_logger, rollback));
            Log.MaintenanceFailed(_logger, ex);
            if (ex is IOException or ObjectDisposedException)
            {
                return false; // a full disk, say: tried again later
            }

            // Anything else is these documents' own damage: it would fail the same way on every try, uncounted.
            throw new StoreDamagedException($"{reason} messages read from the queues cannot be deleted: {ex.Message}", ex);
        }

        // Each was just read from its queue: one its own id does not find is a document whose id or index
        // entry was damaged on disk. Left, it would be met again, and fail to go, on every later walk, uncounted.
        var missing = documents.Count - perClass.Sum();
        if (missing > 0)
        {
            throw new StoreDamagedException($"{missing} of {documents.Count} {reason} messages read from the queues are not found again by their own ids");
        }

        return true;
    }
}
