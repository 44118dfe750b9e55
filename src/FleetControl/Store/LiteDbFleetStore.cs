using System.Globalization;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Storage;
using Google.Protobuf;
using LiteDB;

namespace FleetControl.Store;

/// <summary>
/// The default <see cref="IFleetStore"/>: one LiteDB file. Envelopes are keyed by message id
/// (<c>_id</c>), so storing an id twice is a no-op. Every operation is serialised through one lock:
/// a batch's read-modify-write of device documents never races a status update, and readers never
/// meet LiteDB 5's concurrency defects (seen here: "page type must be collection page" when a read
/// overlapped a write). A store call returns only once it is on disk: LiteDB's <c>Commit()</c> can
/// return before its background writer has written the pages, so the store waits for that writer and
/// then fsyncs the log file once per call (LiteDB itself would fsync about once per page; see
/// <see cref="DurableLiteDatabase"/>).
/// </summary>
/// <remarks>
/// <para>
/// A large store call (the ingest writer's backlog commits, hundreds to thousands of envelopes) inserts its
/// envelopes in chunks of <see cref="DefaultChunkEnvelopes"/>. After each chunk it looks whether a small call (at
/// most <see cref="SmallCallEnvelopes"/>: an Emergency or Alert commit from the ingest writer's urgent lane) is waiting
/// for the lock; if one is, it ends its transaction there, releases the lock until the small calls are done (the
/// lock itself is not fair) and goes on in a new transaction. The first time in a call it ends it by rolling back
/// and doing that work again afterwards, so the small call's fsync does not also flush the large call's pages
/// (on ext4 an fsync costs what it flushes); after that it commits what it has, so a stream of small calls
/// cannot stall it. So a small call waits for at most one chunk, not for a whole backlog commit and its fsync;
/// with nothing waiting a large call is still one transaction. Every call's fsync runs after its last
/// transaction, outside the lock.
/// </para>
/// <para>
/// Urgent batches (Emergency, Alert; at most <see cref="SmallCallEnvelopes"/>, every id decided by the watermark) skip
/// all of that: they are made durable in the <see cref="UrgentJournal"/> with one fdatasync, under a lock of their own,
/// and counted (stored / duplicate) from the watermark, which holds journaled ids from then on. A fold thread stores
/// them in the database as a small call (every id looked up), calls the <see cref="IUrgentFoldObserver"/>s, and resets
/// the journal once everything journaled is folded; the constructor replays an unfolded journal the same way before
/// anything else. Reads wait for the fold of what was journaled before they started.
/// </para>
/// <para>
/// Exactly-once is unchanged: every transaction dedupes on the primary key (and the id watermark) against
/// everything committed before it, including the earlier transactions of the same call; nothing is
/// acknowledged before the call returns, i.e. before the fsync; a crash between two transactions of one
/// call leaves some of its envelopes stored and none acknowledged, and the redelivery stores the rest.
/// Device documents and totals are updated in each transaction for what it stored.
/// </para>
/// </remarks>
internal sealed class LiteDbFleetStore : IFleetStore, IDisposable
{
    private const string Envelopes = "envelopes";
    private const string Devices = "devices";
    private const string Positions = "positions";
    private const string Events = "events";
    private const string DataLoss = "dataloss";
    private const string HealthHistory = "health";
    private const string DedupeKeys = "dedupe";
    private const string Meta = "meta";
    private const string TotalsId = "totals";

    private readonly DurableLiteDatabase _durable;
    private readonly LiteDatabase _db;
    private readonly Lock _lock = new();
    private readonly KnownIdWatermark? _known;
    private readonly int _chunk;

    /// <summary>Guards <see cref="_known"/>, which the urgent journal's path reads and fills outside <see cref="_lock"/>.</summary>
    private readonly Lock _knownLock = new();

    /// <summary>Urgent batches made durable here first, folded into the database right after (null: off).</summary>
    private readonly UrgentJournal? _journal;

    /// <summary>Serialises journal appends and resets.</summary>
    private readonly Lock _journalLock = new();

    /// <summary>Guards the fold queue and counters below; pulsed when records are queued or folded.</summary>
    private readonly object _foldSignal = new();
    private readonly Queue<(DateTimeOffset ReceivedAt, List<Envelope> Envelopes)> _toFold = new();
    private readonly Thread? _folder;
    private long _journaledRecords;
    private long _foldedRecords;
    private bool _stopFolding;
    private bool _foldingPaused;
    private Exception? _foldFailure;
    private readonly IUrgentFoldObserver[] _foldObservers;

    /// <summary>Pulsed when the last small store call is done (a large call waits on it between transactions).</summary>
    private readonly object _turn = new();

    /// <summary>Small store calls waiting for, or inside, the lock or their fsync.</summary>
    private int _smallCalls;

    public LiteDbFleetStore(string databasePath)
        : this(databasePath, KnownIdWatermark.DefaultCapacity)
    {
    }

    /// <param name="databasePath">The LiteDB file.</param>
    /// <param name="foldObservers">Durable work after each urgent batch is folded (the host's alerts).</param>
    public LiteDbFleetStore(string databasePath, IEnumerable<IUrgentFoldObserver> foldObservers)
        : this(databasePath, KnownIdWatermark.DefaultCapacity, foldObservers: foldObservers)
    {
    }

    /// <param name="databasePath">The LiteDB file.</param>
    /// <param name="knownIdCapacity">How many ids stored since start are remembered before the watermark moves up (tests use a small one).</param>
    /// <param name="chunkEnvelopes">How many envelopes a large call inserts between two looks for a waiting small call (tests use a small one).</param>
    /// <param name="urgentJournal">Make urgent batches durable in <see cref="UrgentJournal"/> first (the default).</param>
    /// <param name="foldObservers">Called after each fold and for what the start-up replay stored (the alerts of journaled batches).</param>
    internal LiteDbFleetStore(string databasePath, int knownIdCapacity, int chunkEnvelopes = DefaultChunkEnvelopes, bool urgentJournal = true, IEnumerable<IUrgentFoldObserver>? foldObservers = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkEnvelopes, 1);
        _foldObservers = foldObservers?.ToArray() ?? [];
        DatabasePath = databasePath;
        _chunk = chunkEnvelopes;
        // New files only (a file keeps the collation it was created with): every key here is an
        // ASCII id, and the default culture-aware (ICU) compare was a visible cost of each index step.
        _durable = DurableLiteDatabase.Open(databasePath, new Collation(CultureInfo.InvariantCulture.LCID, CompareOptions.Ordinal));
        _db = _durable.Database;
        _db.GetCollection(Events).EnsureIndex("device");
        _db.GetCollection(DataLoss).EnsureIndex("device");
        _db.GetCollection(HealthHistory).EnsureIndex("k");
        _db.GetCollection(Devices).EnsureIndex("online");

        // Totals live in one document updated in every batch transaction, so /api/stats never counts an index.
        // Dedupe without a lookup for ids above everything stored before (only with ordinal keys, whose
        // index order is string.CompareOrdinal; an older culture-collated file always looks up).
        if (_db.Collation.SortOptions == CompareOptions.Ordinal)
        {
            var max = _db.GetCollection(Envelopes).Query().OrderByDescending("_id").Select("{ m: $._id }").Limit(1).FirstOrDefault();
            var maxId = max is null ? string.Empty : max["m"].IsString ? max["m"].AsString : null;
            _known = maxId is null ? null : new KnownIdWatermark(maxId, knownIdCapacity);
        }

        var meta = _db.GetCollection(Meta);
        if (meta.FindById(TotalsId) is null)
        {
            meta.Insert(new BsonDocument { ["_id"] = TotalsId, ["envelopes"] = _db.GetCollection(Envelopes).LongCount() });
        }

        if (urgentJournal)
        {
            // What was journaled (acknowledged) and not folded before a crash goes into the database first, deduped
            // by lookup like any redelivery; then the journal starts an empty epoch.
            List<(DateTimeOffset ReceivedAt, List<Envelope> Envelopes)> records;
            try
            {
                _journal = UrgentJournal.Open(UrgentJournal.PathFor(DatabasePath), out records);
            }
            catch
            {
                _durable.Dispose();
                throw;
            }

            try
            {
                if (records.Count > 0)
                {
                    var replayed = default(StoreBatchResult);
                    lock (_lock)
                    {
                        foreach (var (receivedAt, envelopes) in records)
                        {
                            StoreTransaction(envelopes, 0, yieldToSmallCalls: false, rollBackToYield: false, receivedAt, ref replayed, lookUpAll: true);
                        }

                        _durable.WaitDurable();
                    }

                    // Their alerts may not have been raised before the crash (they are raised after the fold).
                    var recovered = records.SelectMany(r => r.Envelopes).ToList();
                    foreach (var observer in _foldObservers)
                    {
                        observer.OnFolded(recovered);
                    }

                    JournalReplayed = replayed;
                    _journal.Reset();
                }
            }
            catch
            {
                _journal.Dispose();
                _durable.Dispose();
                throw;
            }

            _folder = new Thread(FoldLoop) { IsBackground = true, Name = "fleet store urgent fold" };
            _folder.Start();
        }
    }

    /// <summary>What the start-up replay of the urgent journal stored and found already stored (tests, diagnostics).</summary>
    internal StoreBatchResult JournalReplayed { get; }

    /// <summary>The urgent journal's file, null when the journal is off.</summary>
    internal string? JournalPath => _journal?.FilePath;

    /// <summary>Urgent batches journaled and not yet folded into the database (tests).</summary>
    internal long Unfolded
    {
        get
        {
            lock (_foldSignal)
            {
                return _journaledRecords - _foldedRecords;
            }
        }
    }

    /// <summary>
    /// Test hook: while true the journal is not folded (the database does not see journaled batches, reads do not wait
    /// for them) and <see cref="Dispose"/> leaves them in the journal, as a crash would.
    /// </summary>
    internal bool FoldingPaused
    {
        get
        {
            lock (_foldSignal)
            {
                return _foldingPaused;
            }
        }

        set
        {
            lock (_foldSignal)
            {
                _foldingPaused = value;
                Monitor.PulseAll(_foldSignal);
            }
        }
    }

    public string DatabasePath { get; }

    /// <summary>The durable database (tests check LiteDB's writer queue still resolves without the fall-back).</summary>
    internal DurableLiteDatabase Durable => _durable;

    /// <summary>True when new ids are recognised without a lookup (ordinal-collated file).</summary>
    internal bool DedupesByWatermark => _known is not null;

    public Task<StoreBatchResult> StoreEnvelopesAsync(IReadOnlyList<Envelope> envelopes, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfFoldFailed();
        if (envelopes.Count == 0)
        {
            return Task.FromResult(default(StoreBatchResult));
        }

        if (TryJournal(envelopes, receivedAt, out var journaled))
        {
            return Task.FromResult(journaled);
        }

        return Task.FromResult(envelopes.Count <= SmallCallEnvelopes ? StoreSmall([(receivedAt, envelopes)], lookUpAll: false) : StoreLarge(envelopes, receivedAt));
    }

    /// <inheritdoc/>
    public bool DefersUrgentObservers => _journal is not null && _foldObservers.Length > 0;

    /// <summary>True for the classes the urgent journal takes (what the ingest writer's urgent lane carries).</summary>
    internal static bool IsUrgentClass(PriorityClass priority) => priority is PriorityClass.Emergency or PriorityClass.Alert;

    /// <summary>
    /// The urgent path: a small call of Emergency/Alert envelopes whose ids the watermark decides (new ids of a live
    /// gateway, and redeliveries of ids stored since start) is made durable in the <see cref="UrgentJournal"/> with
    /// one fdatasync, without the store's lock, and queued for the fold. False (nothing done) for anything else, or
    /// when the journal is full: the caller stores it the ordinary way.
    /// </summary>
    private bool TryJournal(IReadOnlyList<Envelope> envelopes, DateTimeOffset receivedAt, out StoreBatchResult result)
    {
        result = default;
        if (_journal is null || _known is null || envelopes.Count > SmallCallEnvelopes)
        {
            return false;
        }

        foreach (var envelope in envelopes)
        {
            if (!IsUrgentClass(envelope.Priority) || envelope.DedupeKey.Length > 0)
            {
                return false; // a second key needs a lookup in the database
            }
        }

        lock (_journalLock)
        {
            var fresh = new List<Envelope>(envelopes.Count);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var duplicates = 0;
            lock (_knownLock)
            {
                foreach (var envelope in envelopes)
                {
                    var known = _known.IsKnown(envelope.MessageId);
                    if (known is null)
                    {
                        return false; // at or below the watermark: only a lookup can tell
                    }

                    if (known == true || !seen.Add(envelope.MessageId))
                    {
                        duplicates++;
                    }
                    else
                    {
                        fresh.Add(envelope);
                    }
                }
            }

            if (fresh.Count > 0)
            {
                if (!_journal.TryAppend(fresh, receivedAt))
                {
                    return false;
                }

                // Durable now: a redelivery is a duplicate from here on, whether or not it is folded yet.
                lock (_knownLock)
                {
                    foreach (var envelope in fresh)
                    {
                        _known.Add(envelope.MessageId);
                    }
                }

                lock (_foldSignal)
                {
                    _toFold.Enqueue((receivedAt, fresh));
                    _journaledRecords++;
                    Monitor.PulseAll(_foldSignal);
                }
            }

            result = new StoreBatchResult(fresh.Count, duplicates, ObserversDeferred: _foldObservers.Length > 0);
            return true;
        }
    }

    /// <summary>
    /// The folder's thread: stores the journaled batches in the database (a small call: a backlog transaction gives
    /// way to it), each id looked up (the watermark already knows them), and once everything journaled is folded and
    /// durable there, resets the journal.
    /// </summary>
    private void FoldLoop()
    {
        while (true)
        {
            List<(DateTimeOffset, IReadOnlyList<Envelope>)> records = [];
            lock (_foldSignal)
            {
                while ((_toFold.Count == 0 || _foldingPaused) && !_stopFolding)
                {
                    Monitor.Wait(_foldSignal);
                }

                if (_toFold.Count == 0 || _foldingPaused)
                {
                    return; // stopping: nothing left, or (test) left in the journal as after a crash
                }

                while (_toFold.TryDequeue(out var record))
                {
                    records.Add((record.ReceivedAt, record.Envelopes));
                }
            }

            try
            {
                StoreSmall(records, lookUpAll: true);
                if (_foldObservers.Length > 0)
                {
                    var envelopes = records.SelectMany(r => r.Item2).ToList();
                    foreach (var observer in _foldObservers)
                    {
                        observer.OnFolded(envelopes);
                    }
                }

                lock (_journalLock)
                {
                    bool all;
                    lock (_foldSignal)
                    {
                        _foldedRecords += records.Count;
                        all = _foldedRecords == _journaledRecords;
                        Monitor.PulseAll(_foldSignal);
                    }

                    if (all)
                    {
                        _journal!.Reset();
                    }
                }
            }
            catch (Exception ex)
            {
                // The database cannot take them: they stay in the journal (replayed at the next start) and every
                // store call fails from now on, which stops the host.
                lock (_foldSignal)
                {
                    _foldFailure = ex;
                    Monitor.PulseAll(_foldSignal);
                }

                return;
            }
        }
    }

    private void ThrowIfFoldFailed()
    {
        Exception? failure;
        lock (_foldSignal)
        {
            failure = _foldFailure;
        }

        if (failure is not null)
        {
            throw new InvalidOperationException("Folding the urgent journal into the database failed.", failure);
        }
    }

    /// <summary>
    /// Before a read: waits until every batch journaled so far is folded, so whatever was acknowledged before the read
    /// started is in what it reads (bounded; not while folding is paused).
    /// </summary>
    private void WaitFolded()
    {
        if (_journal is null)
        {
            return;
        }

        lock (_foldSignal)
        {
            var target = _journaledRecords;
            var deadline = Environment.TickCount64 + 30_000;
            while (_foldedRecords < target && !_foldingPaused && !_stopFolding && _foldFailure is null && Environment.TickCount64 < deadline)
            {
                Monitor.Wait(_foldSignal, 100);
            }
        }
    }

    /// <summary>
    /// How many envelopes a large store call inserts between two looks for a small call waiting (it then ends its
    /// transaction and gives way): what a small call waits for at most, ~1-3 ms on the 2-core development box.
    /// </summary>
    internal const int DefaultChunkEnvelopes = 16;

    /// <summary>The most envelopes a store call may hold to go ahead of a large one (an urgent commit is usually 1).</summary>
    internal const int SmallCallEnvelopes = 64;

    /// <summary>Times a large call ended its transaction early and gave way to a small call (tests, diagnostics).</summary>
    internal long GaveWay => Interlocked.Read(ref _gaveWay);

    /// <summary>Small store calls waiting for, or inside, the lock or their fsync (tests).</summary>
    internal int SmallCallsWaiting => Volatile.Read(ref _smallCalls);

    private long _gaveWay;

    /// <summary>Test hook: runs inside a large call's transaction (under the lock) after each chunk but the last.</summary>
    internal Action? BetweenChunks { get; set; }

    /// <summary>
    /// One transaction per record (one record, except for the fold), one fsync; a large call in progress commits early
    /// and gives way to it. <paramref name="lookUpAll"/>: every id is looked up (the fold: the watermark knows them).
    /// </summary>
    private StoreBatchResult StoreSmall(IReadOnlyList<(DateTimeOffset ReceivedAt, IReadOnlyList<Envelope> Envelopes)> records, bool lookUpAll)
    {
        Interlocked.Increment(ref _smallCalls);
        try
        {
            var result = default(StoreBatchResult);
            lock (_lock)
            {
                foreach (var (receivedAt, envelopes) in records)
                {
                    StoreTransaction(envelopes, 0, yieldToSmallCalls: false, rollBackToYield: false, receivedAt, ref result, lookUpAll);
                }
            }

            MakeDurable();
            return result;
        }
        finally
        {
            if (Interlocked.Decrement(ref _smallCalls) == 0)
            {
                lock (_turn)
                {
                    Monitor.PulseAll(_turn);
                }
            }
        }
    }

    /// <summary>
    /// Normally one transaction, inserted in chunks of <c>chunkEnvelopes</c>. When a small call waits after
    /// a chunk, the transaction ends there (the first time in the call rolled back, later committed early), the
    /// lock is released until the small calls are done, and the rest goes on in a new transaction. One fsync at
    /// the end, outside the lock.
    /// </summary>
    private StoreBatchResult StoreLarge(IReadOnlyList<Envelope> envelopes, DateTimeOffset receivedAt)
    {
        var result = default(StoreBatchResult);
        var next = 0;
        var rolledBack = false;
        while (next < envelopes.Count)
        {
            bool gaveWay;
            lock (_lock)
            {
                // The first time in a call, a transaction that meets a small call rolls back (its pages then
                // stay out of the small call's fsync); after that it commits what it has (so it always moves on).
                var from = next;
                next = StoreTransaction(envelopes, from, yieldToSmallCalls: true, rollBackToYield: !rolledBack, receivedAt, ref result);
                rolledBack |= next == from;
                gaveWay = next < envelopes.Count;
            }

            if (gaveWay)
            {
                Interlocked.Increment(ref _gaveWay);
                GiveWayToSmallCalls();
            }
        }

        MakeDurable();
        return result;
    }

    /// <summary>Waits (outside the lock) while a small store call waits for or holds the lock or its fsync.</summary>
    private void GiveWayToSmallCalls()
    {
        lock (_turn)
        {
            while (Volatile.Read(ref _smallCalls) > 0)
            {
                // Pulsed by the last small call; the timeout only bounds a wait that missed nothing.
                Monitor.Wait(_turn, TimeSpan.FromMilliseconds(100));
            }
        }
    }

    /// <summary>
    /// Everything this call committed (and all before it) on disk: LiteDB's writer waited for and the log
    /// fsynced, outside the lock, so other callers' transactions go on meanwhile (an fsync that another
    /// caller started after these writes counts). In LiteDB's checkpoint fall-back, under the lock.
    /// </summary>
    private void MakeDurable()
    {
        if (_durable.FallbackReason is not null)
        {
            lock (_lock)
            {
                _durable.WaitDurable();
            }

            return;
        }

        _durable.SyncBehind();
    }

    /// <summary>
    /// One transaction (under the lock) storing <paramref name="envelopes"/> from <paramref name="from"/> on, chunk by
    /// chunk; with <paramref name="yieldToSmallCalls"/> it ends after a chunk when a small call waits: rolled back
    /// (returning <paramref name="from"/>) with <paramref name="rollBackToYield"/>, else committed early.
    /// Adds what it stored and skipped to <paramref name="result"/>; returns the index after the last envelope it took.
    /// </summary>
    private int StoreTransaction(IReadOnlyList<Envelope> envelopes, int from, bool yieldToSmallCalls, bool rollBackToYield, DateTimeOffset receivedAt, ref StoreBatchResult result, bool lookUpAll = false)
    {
        if (!_db.BeginTrans())
        {
            throw new InvalidOperationException("A LiteDB transaction is already open on the ingest thread.");
        }

        try
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var updates = new Dictionary<string, DeviceUpdate>(StringComparer.Ordinal);
            var newIds = new List<string>();
            var duplicates = 0;
            var seenKeys = new HashSet<string>(StringComparer.Ordinal);
            var chunk = new List<Envelope>(Math.Min(envelopes.Count - from, _chunk));
            var next = from;
            while (true)
            {
                chunk.Clear();
                var end = yieldToSmallCalls ? Math.Min(envelopes.Count, next + _chunk) : envelopes.Count;
                for (var i = next; i < end; i++)
                {
                    chunk.Add(envelopes[i]);
                }

                duplicates += InsertChunk(chunk, seen, seenKeys, updates, newIds, receivedAt, lookUpAll);
                next = end;
                if (next >= envelopes.Count)
                {
                    break;
                }

                BetweenChunks?.Invoke();
                if (Volatile.Read(ref _smallCalls) > 0)
                {
                    if (rollBackToYield)
                    {
                        _db.Rollback(); // nothing of it stored: the caller gives way, then does it again
                        return from;
                    }

                    break; // commit what is here and let the small call in
                }
            }

            if (newIds.Count > 0)
            {
                var deviceCol = _db.GetCollection(Devices);
                foreach (var (deviceId, update) in updates)
                {
                    var doc = deviceCol.FindById(deviceId) ?? NewDevice(deviceId);
                    update.ApplyTo(doc, receivedAt);
                    deviceCol.Upsert(doc);
                }

                var metaCol = _db.GetCollection(Meta);
                var totals = metaCol.FindById(TotalsId);
                totals["envelopes"] = totals["envelopes"].AsInt64 + newIds.Count;
                metaCol.Update(totals);
            }

            _db.Commit(); // durable in MakeDurable, after the call's last transaction and outside the lock
            if (_known is not null)
            {
                lock (_knownLock)
                {
                    foreach (var id in newIds)
                    {
                        _known.Add(id);
                    }
                }
            }

            result = new StoreBatchResult(result.Stored + newIds.Count, result.Duplicates + duplicates);
            return next;
        }
        catch
        {
            _db.Rollback();
            throw;
        }
    }

    /// <summary>
    /// Inserts the envelopes of <paramref name="chunk"/> not stored before (nor earlier in this transaction, see
    /// <paramref name="seen"/>, nor under the same dedupe key, see <paramref name="seenKeys"/>) with their positions,
    /// events, health and data-loss documents; collects the device updates. Returns how many were duplicates.
    /// </summary>
    private int InsertChunk(List<Envelope> chunk, HashSet<string> seen, HashSet<string> seenKeys, Dictionary<string, DeviceUpdate> updates, List<string> newIds, DateTimeOffset receivedAt, bool lookUpAll)
    {
        var envelopeCol = _db.GetCollection(Envelopes);
        var dedupeCol = _db.GetCollection(DedupeKeys);
        var newKeys = new List<BsonDocument>();

        // Primary-key lookups (measured 2-3x faster than one "_id IN [...]" query for 5000 ids), only
        // for ids the watermark cannot decide.
        foreach (var envelope in chunk)
        {
            bool? known = null;
            if (_known is not null && !lookUpAll)
            {
                lock (_knownLock)
                {
                    known = _known.IsKnown(envelope.MessageId);
                }
            }

            if (known == true || (known is null && envelopeCol.FindById(envelope.MessageId) is not null))
            {
                seen.Add(envelope.MessageId);
            }
        }

        var newEnvelopes = new List<BsonDocument>(chunk.Count);
        var newPositions = new List<BsonDocument>();
        var newEvents = new List<BsonDocument>();
        var newLosses = new List<BsonDocument>();
        var newHealth = new List<BsonDocument>();
        var duplicates = 0;

        foreach (var envelope in chunk)
        {
            if (!seen.Add(envelope.MessageId))
            {
                duplicates++;
                continue;
            }

            // A second key (a LIP position and the same fix over LTE): one envelope per device and key.
            if (envelope.DedupeKey.Length > 0)
            {
                var keyId = DedupeId(envelope);
                if (!seenKeys.Add(keyId) || dedupeCol.FindById(keyId) is not null)
                {
                    duplicates++;
                    continue;
                }

                newKeys.Add(new BsonDocument { ["_id"] = keyId, ["m"] = envelope.MessageId, ["t"] = receivedAt.UtcTicks });
            }

            var captured = envelope.CapturedAt?.ToDateTimeOffset() ?? receivedAt;
            // The envelope exactly as received (device, stream, sequence, capture time are inside it)
            // plus when it arrived: short field names, one small document.
            newEnvelopes.Add(new BsonDocument
            {
                ["_id"] = envelope.MessageId,
                ["r"] = envelope.ToByteArray(),
                ["t"] = receivedAt.UtcTicks,
            });

            if (!updates.TryGetValue(envelope.DeviceId, out var update))
            {
                update = new DeviceUpdate();
                updates[envelope.DeviceId] = update;
            }

            update.Envelopes++;
            switch (envelope.BodyCase)
            {
                case Envelope.BodyOneofCase.Position:
                    var position = ToPositionRecord(envelope, captured);
                    newPositions.Add(ToBson(position));
                    update.Positions++;
                    if (update.LastPosition is null || position.Time >= update.LastPosition.Time)
                    {
                        update.LastPosition = position;
                    }

                    break;
                case Envelope.BodyOneofCase.Health:
                    newHealth.Add(new BsonDocument
                    {
                        ["_id"] = envelope.MessageId,
                        ["k"] = HealthKey(envelope.DeviceId, captured.UtcTicks),
                        ["raw"] = envelope.Health.ToByteArray(),
                    });
                    if (update.HealthAt is null || captured >= update.HealthAt)
                    {
                        update.Health = envelope.Health;
                        update.HealthAt = captured;
                    }

                    break;
                case Envelope.BodyOneofCase.DockStatus:
                    if (update.DockAt is null || captured >= update.DockAt)
                    {
                        update.Dock = envelope.DockStatus;
                        update.DockAt = captured;
                    }

                    break;
                case Envelope.BodyOneofCase.DataLoss:
                    newLosses.Add(new BsonDocument
                    {
                        ["_id"] = envelope.MessageId,
                        ["device"] = envelope.DeviceId,
                        ["captured"] = captured.UtcTicks,
                        ["raw"] = envelope.DataLoss.ToByteArray(),
                    });
                    break;
                case Envelope.BodyOneofCase.Event:
                    newEvents.Add(new BsonDocument
                    {
                        ["_id"] = envelope.MessageId,
                        ["device"] = envelope.DeviceId,
                        ["stream"] = envelope.Stream,
                        ["captured"] = captured.UtcTicks,
                        ["raw"] = envelope.Event.ToByteArray(),
                    });
                    break;
            }
        }

        if (newEnvelopes.Count > 0)
        {
            envelopeCol.InsertBulk(newEnvelopes);
            if (newKeys.Count > 0)
            {
                dedupeCol.InsertBulk(newKeys);
            }

            if (newPositions.Count > 0)
            {
                _db.GetCollection(Positions).InsertBulk(newPositions);
            }

            if (newEvents.Count > 0)
            {
                _db.GetCollection(Events).InsertBulk(newEvents);
            }

            if (newHealth.Count > 0)
            {
                _db.GetCollection(HealthHistory).InsertBulk(newHealth);
            }

            if (newLosses.Count > 0)
            {
                _db.GetCollection(DataLoss).InsertBulk(newLosses);
            }

            foreach (var doc in newEnvelopes)
            {
                newIds.Add(doc["_id"].AsString);
            }
        }

        return duplicates;
    }

    /// <summary>The key of an envelope's dedupe key: scoped to its device, so no device can shadow another's.</summary>
    private static string DedupeId(Envelope envelope) => $"{envelope.DeviceId}|{envelope.DedupeKey}";

    public Task RegisterDeviceAsync(DeviceRegistration registration, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var col = _db.GetCollection(Devices);
            var doc = col.FindById(registration.DeviceId) ?? NewDevice(registration.DeviceId);
            doc["role"] = registration.Role;
            doc["version"] = registration.SoftwareVersion;
            doc["hostname"] = registration.Hostname;
            doc["capabilities"] = new BsonArray(registration.Capabilities.Select(c => new BsonValue(c)));
            doc["registeredAt"] = registration.RegisteredAt.UtcTicks;
            MoveLastSeen(doc, registration.RegisteredAt);
            col.Upsert(doc);
            _durable.WaitDurable();
        }

        return Task.CompletedTask;
    }

    public Task UpdateStatusAsync(string deviceId, DeviceStatus status, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            var col = _db.GetCollection(Devices);
            var doc = col.FindById(deviceId) ?? NewDevice(deviceId);
            doc["online"] = status.Online;
            if (!string.IsNullOrEmpty(status.Role))
            {
                doc["role"] = status.Role;
            }

            if (!string.IsNullOrEmpty(status.SoftwareVersion))
            {
                doc["version"] = status.SoftwareVersion;
            }

            // A retained status is redelivered after a FleetControl restart: trust the device's own
            // time stamp, and never move last seen backwards.
            MoveLastSeen(doc, status.At?.ToDateTimeOffset() ?? receivedAt);
            col.Upsert(doc);
            _durable.WaitDurable();
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<DeviceRecord>> GetDevicesAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        WaitFolded();
        List<BsonDocument> docs;
        lock (_lock)
        {
            docs = _db.GetCollection(Devices).FindAll().ToList();
        }

        IReadOnlyList<DeviceRecord> devices = docs.Select(ToDeviceRecord).OrderBy(d => d.DeviceId, StringComparer.Ordinal).ToList();
        return Task.FromResult(devices);
    }

    public Task<DevicePage> GetDevicePageAsync(DeviceQuery query, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        WaitFolded();
        // Walks the primary key in id order (ordinal in files created with the ordinal collation) and converts only
        // the page's documents to records. The online-only filter uses the "online" index; "id or role contains"
        // has no index in LiteDB and is evaluated per document inside the engine, never in a list of every record.
        var conditions = new List<BsonExpression>();
        if (!string.IsNullOrEmpty(query.Filter))
        {
            conditions.Add(BsonExpression.Create(
                "INDEXOF(LOWER($._id), @0) >= 0 OR INDEXOF(LOWER($.role), @0) >= 0",
                new BsonValue(query.Filter.ToLowerInvariant())));
        }

        if (query.Online is { } online)
        {
            conditions.Add(BsonExpression.Create("$.online = @0", new BsonValue(online)));
        }

        long total;
        long matched;
        List<BsonDocument> docs;
        lock (_lock)
        {
            var col = _db.GetCollection(Devices);
            total = col.LongCount();
            var filtered = col.Query();
            foreach (var condition in conditions)
            {
                filtered = filtered.Where(condition);
            }

            matched = conditions.Count == 0 ? total : filtered.LongCount();
            var paged = col.Query();
            foreach (var condition in conditions)
            {
                paged = paged.Where(condition);
            }

            docs = paged.OrderBy("_id").Offset(Math.Max(0, query.Offset)).Limit(Math.Max(0, query.Limit)).ToList();
        }

        return Task.FromResult(new DevicePage(total, matched, docs.Select(ToDeviceRecord).ToList()));
    }

    public Task<DeviceRecord?> GetDeviceAsync(string deviceId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        WaitFolded();
        BsonDocument? doc;
        lock (_lock)
        {
            doc = _db.GetCollection(Devices).FindById(deviceId);
        }

        return Task.FromResult(doc is null ? null : ToDeviceRecord(doc));
    }

    public Task<IReadOnlyList<PositionRecord>> GetPositionsAsync(string deviceId, int limit, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        WaitFolded();
        // Position _id = "{device}|{time ticks, 19 digits}|{message id}": one primary-key range per device, in time order.
        var low = deviceId + "|";
        var high = deviceId + "|\uffff";
        List<BsonDocument> docs;
        lock (_lock)
        {
            docs = _db.GetCollection(Positions).Query()
                .Where(LiteDB.Query.Between("_id", low, high))
                .OrderByDescending("_id")
                .Limit(Math.Max(0, limit))
                .ToList();
        }

        IReadOnlyList<PositionRecord> positions = docs.Select(ToPositionRecord).ToList();
        return Task.FromResult(positions);
    }

    public Task<PositionPage> GetPositionsInWindowAsync(string deviceId, DateTimeOffset? from, DateTimeOffset? to, string? cursor, int limit, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        WaitFolded();
        // Same primary-key range as above, narrowed to the window; the cursor is the last key returned.
        var low = from is { } f ? $"{deviceId}|{f.UtcTicks:D19}" : deviceId + "|";
        var high = to is { } t ? $"{deviceId}|{t.UtcTicks:D19}" : deviceId + "|\uffff";
        if (cursor is not null && cursor.StartsWith(deviceId + "|", StringComparison.Ordinal) && string.CompareOrdinal(cursor, low) >= 0)
        {
            low = cursor + "\u0001"; // strictly after the cursor key
        }

        List<BsonDocument> docs;
        lock (_lock)
        {
            docs = _db.GetCollection(Positions).Query()
                .Where(LiteDB.Query.And(LiteDB.Query.GTE("_id", low), LiteDB.Query.LT("_id", high)))
                .OrderBy("_id")
                .Limit(Math.Max(0, limit) + 1)
                .ToList();
        }

        var more = docs.Count > limit;
        var page = docs.Take(limit).ToList();
        return Task.FromResult(new PositionPage(
            page.Select(ToPositionRecord).ToList(),
            more && page.Count > 0 ? page[^1]["_id"].AsString : null));
    }

    public Task<IReadOnlyList<DataLossRecord>> GetDataLossAsync(string deviceId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        WaitFolded();
        List<BsonDocument> docs;
        lock (_lock)
        {
            docs = _db.GetCollection(DataLoss).Find(LiteDB.Query.EQ("device", deviceId)).ToList();
        }

        IReadOnlyList<DataLossRecord> losses = docs
            .Select(d => new DataLossRecord(d["_id"].AsString, FromTicks(d["captured"]), DataLossReport.Parser.ParseFrom(d["raw"].AsBinary)))
            .OrderBy(r => r.CapturedAt)
            .ToList();
        return Task.FromResult(losses);
    }

    public Task<IReadOnlyList<HealthSample>> GetHealthHistoryAsync(string deviceId, DateTimeOffset? from, DateTimeOffset? to, int limit, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        WaitFolded();
        var lo = HealthKey(deviceId, from?.UtcTicks ?? 0);
        var hi = HealthKey(deviceId, to?.UtcTicks ?? DateTimeOffset.MaxValue.UtcTicks);
        List<BsonDocument> docs;
        lock (_lock)
        {
            // Newest first through the (device, time) key, so a device's long history is never read whole.
            docs = _db.GetCollection(HealthHistory).Query()
                .Where(LiteDB.Query.Between("k", lo, hi))
                .OrderByDescending("k")
                .Limit(limit)
                .ToList();
        }

        IReadOnlyList<HealthSample> samples = docs
            .Select(d => new HealthSample(
                new DateTimeOffset(long.Parse(d["k"].AsString.AsSpan(d["k"].AsString.LastIndexOf('|') + 1), System.Globalization.CultureInfo.InvariantCulture), TimeSpan.Zero),
                HealthReport.Parser.ParseFrom(d["raw"].AsBinary)))
            .Reverse()
            .ToList();
        return Task.FromResult(samples);
    }

    /// <summary>"device|ticks" with the ticks zero-padded, so string order is time order within a device.</summary>
    private static string HealthKey(string deviceId, long ticks) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{deviceId}|{ticks:D19}");

    public Task<IReadOnlyList<EventRecord>> GetEventsAsync(string deviceId, int limit, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        WaitFolded();
        List<BsonDocument> docs;
        lock (_lock)
        {
            docs = _db.GetCollection(Events).Find(LiteDB.Query.EQ("device", deviceId)).ToList();
        }

        IReadOnlyList<EventRecord> events = docs
            .Select(d =>
            {
                var e = DeviceEvent.Parser.ParseFrom(d["raw"].AsBinary);
                return new EventRecord(d["_id"].AsString, d["stream"].AsString, FromTicks(d["captured"]), e.Type, e.Detail, new Dictionary<string, string>(e.Attributes));
            })
            .OrderByDescending(r => r.CapturedAt)
            .Take(Math.Max(0, limit))
            .ToList();
        return Task.FromResult(events);
    }

    public Task<long> CountDevicesAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        WaitFolded();
        lock (_lock)
        {
            return Task.FromResult(_db.GetCollection(Devices).LongCount());
        }
    }

    public Task<long> CountEnvelopesAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        WaitFolded();
        lock (_lock)
        {
            return Task.FromResult(_db.GetCollection(Meta).FindById(TotalsId)["envelopes"].AsInt64);
        }
    }

    public void Dispose()
    {
        // The folder folds what is queued (unless paused by a test), then stops; the journal is closed after the database.
        lock (_foldSignal)
        {
            _stopFolding = true;
            Monitor.PulseAll(_foldSignal);
        }

        _folder?.Join();
        lock (_lock)
        {
            _durable.Dispose();
        }

        lock (_journalLock)
        {
            _journal?.Dispose();
        }
    }

    /// <summary>LiteDB's own log file name for <paramref name="databasePath"/> (<c>fleet.db</c> -> <c>fleet-log.db</c>).</summary>
    internal static string LogPath(string databasePath) => DurableLiteDatabase.LogPathFor(databasePath);

    private static BsonDocument NewDevice(string deviceId) => new()
    {
        ["_id"] = deviceId,
        ["role"] = string.Empty,
        ["version"] = string.Empty,
        ["hostname"] = string.Empty,
        ["online"] = false,
        ["envelopes"] = 0L,
        ["positions"] = 0L,
    };

    private static void MoveLastSeen(BsonDocument doc, DateTimeOffset at)
    {
        if (!doc.TryGetValue("lastSeen", out var current) || current.IsNull || current.AsInt64 < at.UtcTicks)
        {
            doc["lastSeen"] = at.UtcTicks;
        }
    }

    private static DateTimeOffset FromTicks(BsonValue value) => new(value.AsInt64, TimeSpan.Zero);

    private static DateTimeOffset? FromTicksOrNull(BsonDocument doc, string field) =>
        doc.TryGetValue(field, out var value) && !value.IsNull ? FromTicks(value) : null;

    private static PositionRecord ToPositionRecord(Envelope envelope, DateTimeOffset captured)
    {
        var p = envelope.Position;
        return new PositionRecord(
            envelope.MessageId,
            envelope.DeviceId,
            envelope.Sequence,
            p.FixTime?.ToDateTimeOffset() ?? captured,
            p.Latitude,
            p.Longitude,
            p.HasAltitudeM ? p.AltitudeM : null,
            p.HasSpeedMps ? p.SpeedMps : null,
            p.HasTrackDeg ? p.TrackDeg : null,
            p.Mode);
    }

    private static BsonDocument ToBson(PositionRecord p) => new()
    {
        ["_id"] = $"{p.DeviceId}|{p.Time.UtcTicks:D19}|{p.MessageId}",
        ["msg"] = p.MessageId,
        ["device"] = p.DeviceId,
        ["seq"] = (long)p.Sequence,
        ["time"] = p.Time.UtcTicks,
        ["lat"] = p.Latitude,
        ["lon"] = p.Longitude,
        ["alt"] = p.Altitude is { } alt ? new BsonValue(alt) : BsonValue.Null,
        ["speed"] = p.Speed is { } speed ? new BsonValue(speed) : BsonValue.Null,
        ["track"] = p.Track is { } track ? new BsonValue(track) : BsonValue.Null,
        ["mode"] = (int)p.Mode,
    };

    private static PositionRecord ToPositionRecord(BsonDocument d) => new(
        d["msg"].AsString,
        d["device"].AsString,
        (ulong)d["seq"].AsInt64,
        FromTicks(d["time"]),
        d["lat"].AsDouble,
        d["lon"].AsDouble,
        d["alt"].IsNull ? null : d["alt"].AsDouble,
        d["speed"].IsNull ? null : d["speed"].AsDouble,
        d["track"].IsNull ? null : d["track"].AsDouble,
        (FixMode)d["mode"].AsInt32);

    private static DeviceRecord ToDeviceRecord(BsonDocument d) => new()
    {
        DeviceId = d["_id"].AsString,
        Role = d["role"].AsString ?? string.Empty,
        SoftwareVersion = d["version"].AsString ?? string.Empty,
        Hostname = d["hostname"].AsString ?? string.Empty,
        Capabilities = d.TryGetValue("capabilities", out var caps) && caps.IsArray ? caps.AsArray.Select(c => c.AsString).ToList() : [],
        RegisteredAt = FromTicksOrNull(d, "registeredAt"),
        Online = d["online"].AsBoolean,
        LastSeen = FromTicksOrNull(d, "lastSeen"),
        EnvelopeCount = d["envelopes"].AsInt64,
        PositionCount = d["positions"].AsInt64,
        LastPosition = d.TryGetValue("lastPosition", out var lp) && lp.IsDocument ? ToPositionRecord(lp.AsDocument) : null,
        Health = d.TryGetValue("health", out var h) && h.IsBinary ? HealthReport.Parser.ParseFrom(h.AsBinary) : null,
        HealthAt = FromTicksOrNull(d, "healthAt"),
        Dock = d.TryGetValue("dock", out var k) && k.IsBinary ? DockStatus.Parser.ParseFrom(k.AsBinary) : null,
        DockAt = FromTicksOrNull(d, "dockAt"),
    };

    /// <summary>What one batch changes on one device document.</summary>
    private sealed class DeviceUpdate
    {
        public long Envelopes { get; set; }
        public long Positions { get; set; }
        public PositionRecord? LastPosition { get; set; }
        public HealthReport? Health { get; set; }
        public DateTimeOffset? HealthAt { get; set; }
        public DockStatus? Dock { get; set; }
        public DateTimeOffset? DockAt { get; set; }

        public void ApplyTo(BsonDocument doc, DateTimeOffset receivedAt)
        {
            doc["envelopes"] = doc["envelopes"].AsInt64 + Envelopes;
            doc["positions"] = doc["positions"].AsInt64 + Positions;
            MoveLastSeen(doc, receivedAt);

            if (LastPosition is not null &&
                (!doc.TryGetValue("lastPosition", out var current) || !current.IsDocument || current["time"].AsInt64 <= LastPosition.Time.UtcTicks))
            {
                doc["lastPosition"] = ToBson(LastPosition);
            }

            if (Health is not null && HealthAt is { } healthAt && IsNewer(doc, "healthAt", healthAt))
            {
                doc["health"] = Health.ToByteArray();
                doc["healthAt"] = healthAt.UtcTicks;
            }

            if (Dock is not null && DockAt is { } dockAt && IsNewer(doc, "dockAt", dockAt))
            {
                doc["dock"] = Dock.ToByteArray();
                doc["dockAt"] = dockAt.UtcTicks;
            }
        }

        private static bool IsNewer(BsonDocument doc, string field, DateTimeOffset at) =>
            !doc.TryGetValue(field, out var current) || current.IsNull || current.AsInt64 <= at.UtcTicks;
    }
}
