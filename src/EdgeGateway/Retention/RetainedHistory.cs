using System.Globalization;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Outbox;
using EdgeGateway.Outbox.Storage;
using EdgeGateway.Storage;
using LiteDB;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Retention;

/// <summary>
/// The retained history: a bounded copy of delivered messages in its own LiteDB file
/// (<c>{DataDirectory}/retained.db</c>), so a resend-range command can send a time range again after
/// the outbox has deleted it. Bounded by age per class (by captured-at) and by total bytes (oldest first).
/// It is a convenience copy of data FleetControl already confirmed storing: writes are not fsynced (a
/// power cut may lose the last seconds of copies, never a message), and a damaged file is replaced by an
/// empty one instead of stopping the gateway. Payloads are encrypted at rest like the outbox's
/// (<see cref="PayloadProtector"/>, its own data key in <c>retained.db.key</c>); a copy that no longer decrypts is
/// skipped by <see cref="Range"/> (FleetControl already holds the message). Thread-safe (one lock).
/// </summary>
internal sealed class RetainedHistory : IDisposable
{
    private const string Messages = "messages";
    private const string StateCollection = "state";

    private readonly RetentionOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly PayloadProtector _protector;
    private readonly Lock _lock = new();
    private readonly TimeSpan[] _maxAge = new TimeSpan[OutboxClassDefaults.All.Length];
    private DurableLiteDatabase _durable;
    private long _count;
    private long _bytes;
    private long _prunedThroughMs = long.MinValue;

    public RetainedHistory(string path, RetentionOptions options, TimeProvider time, ILogger logger, PayloadProtector? protector = null)
    {
        _options = options;
        _protector = protector ?? PayloadProtector.Plaintext;
        _time = time;
        _logger = logger;
        FilePath = Path.GetFullPath(path);
        for (var i = 0; i < _maxAge.Length; i++)
        {
            var name = OutboxClassDefaults.All[i].ToString();
            _maxAge[i] = options.Classes.FirstOrDefault(kv => string.Equals(kv.Key, name, StringComparison.OrdinalIgnoreCase)) is { Key: not null } configured
                ? configured.Value
                : options.MaxAge;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        _durable = OpenOrReplace();
    }

    public string FilePath { get; }

    /// <summary>How long messages of <paramref name="priority"/> are kept (zero: not at all).</summary>
    public TimeSpan MaxAgeOf(PriorityClass priority) => OutboxClassDefaults.IndexOf(priority) is >= 0 and var i ? _maxAge[i] : TimeSpan.Zero;

    /// <summary>
    /// The newest captured-at of any copy deleted (by age, by the byte budget, or with a damaged file), or null
    /// when none ever was: a range starting after it is fully covered.
    /// </summary>
    public DateTimeOffset? PrunedThrough
    {
        get
        {
            lock (_lock)
            {
                return _prunedThroughMs == long.MinValue ? null : DateTimeOffset.FromUnixTimeMilliseconds(_prunedThroughMs);
            }
        }
    }

    /// <summary>Current totals.</summary>
    public RetentionStatistics Statistics
    {
        get
        {
            lock (_lock)
            {
                return new RetentionStatistics(_count, _bytes, OldestLocked(null));
            }
        }
    }

    /// <summary>
    /// Keeps <paramref name="messages"/> (those of a class kept at all and not already past its age), then
    /// trims to the byte budget. Returns how many were newly kept.
    /// </summary>
    public int Add(IReadOnlyList<RetainedMessage> messages, DateTimeOffset now)
    {
        lock (_lock)
        {
            var db = _durable.Database;
            var col = db.GetCollection(Messages);
            var added = 0;
            db.BeginTrans();
            foreach (var m in messages)
            {
                var age = MaxAgeOf(m.Priority);
                if (age <= TimeSpan.Zero || m.CapturedAt < now - age)
                {
                    continue;
                }

                var id = new byte[MonotonicMessageIdGenerator.ByteLength];
                if (!MonotonicMessageIdGenerator.TryParse(m.MessageId, id) || col.FindById(id) is not null)
                {
                    continue; // acknowledged twice: kept once
                }

                var doc = new BsonDocument
                {
                    ["_id"] = id,
                    ["c"] = m.CapturedAt.ToUnixTimeMilliseconds(),
                    ["p"] = (int)m.Priority,
                    ["s"] = m.Stream,
                };
                _protector.Store(doc, id, m.Envelope.ToArray());
                col.Insert(doc);
                _count++;
                _bytes += doc["b"].AsBinary.Length;
                added++;
            }

            TrimToBudgetLocked(col);
            SaveStateLocked();
            db.Commit();
            return added;
        }
    }

    /// <summary>
    /// Retained messages captured in [<paramref name="from"/>, <paramref name="to"/>), of one stream (or all when
    /// null or empty), in captured-at order, at most <paramref name="limit"/>, starting after captured-at
    /// and id of <paramref name="after"/> when given (paging: the previous page's last message).
    /// </summary>
    public IReadOnlyList<RetainedMessage> Range(DateTimeOffset from, DateTimeOffset to, string? stream, int limit, (long CapturedMs, byte[] Id)? after = null)
    {
        lock (_lock)
        {
            var col = _durable.Database.GetCollection(Messages);
            var start = after?.CapturedMs ?? from.ToUnixTimeMilliseconds();
            var query = col.Query().Where(Query.And(Query.GTE("c", start), Query.LT("c", to.ToUnixTimeMilliseconds())));
            if (!string.IsNullOrEmpty(stream))
            {
                query = query.Where("s = @0", stream);
            }

            var result = new List<RetainedMessage>(Math.Min(limit, 1024));
            foreach (var doc in query.OrderBy("c").ToEnumerable())
            {
                var id = doc["_id"].AsBinary;
                var captured = doc["c"].AsInt64;
                if (after is { } a && captured == a.CapturedMs && id.AsSpan().SequenceCompareTo(a.Id) <= 0)
                {
                    continue; // same millisecond as the previous page's last: already returned when not greater
                }

                if (_protector.TryOpen(doc) is not { } envelope)
                {
                    continue; // altered, or its key is gone: a convenience copy, FleetControl holds the message
                }

                result.Add(new RetainedMessage(
                    MonotonicMessageIdGenerator.Format(id),
                    (PriorityClass)doc["p"].AsInt32,
                    doc["s"].AsString,
                    DateTimeOffset.FromUnixTimeMilliseconds(captured),
                    envelope));
                if (result.Count >= limit)
                {
                    break;
                }
            }

            return result;
        }
    }

    /// <summary>The oldest captured-at kept (of one stream, or all), or null when none.</summary>
    public DateTimeOffset? Oldest(string? stream)
    {
        lock (_lock)
        {
            return OldestLocked(stream);
        }
    }

    /// <summary>Deletes what is past its class's age; returns how many were deleted.</summary>
    public int Prune(DateTimeOffset now)
    {
        lock (_lock)
        {
            var db = _durable.Database;
            var col = db.GetCollection(Messages);
            var deleted = 0;
            db.BeginTrans();
            var oldestAllowed = _maxAge.Max();
            for (var i = 0; i < _maxAge.Length; i++)
            {
                var cutoff = (now - _maxAge[i]).ToUnixTimeMilliseconds();
                var priority = (int)OutboxClassDefaults.All[i];
                foreach (var doc in col.Query().Where(Query.LT("c", cutoff)).Where("p = @0", priority).ToEnumerable().ToList())
                {
                    _prunedThroughMs = Math.Max(_prunedThroughMs, doc["c"].AsInt64);
                    col.Delete(doc["_id"]);
                    _count--;
                    _bytes -= doc["b"].AsBinary.Length;
                    deleted++;
                }
            }

            SaveStateLocked();
            db.Commit();
            if (deleted > 0)
            {
                Log.Pruned(_logger, deleted, oldestAllowed);
            }

            return deleted;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _durable.Dispose();
        }
    }

    private DateTimeOffset? OldestLocked(string? stream)
    {
        var query = _durable.Database.GetCollection(Messages).Query();
        if (!string.IsNullOrEmpty(stream))
        {
            query = query.Where("s = @0", stream);
        }

        var first = query.OrderBy("c").Limit(1).FirstOrDefault();
        return first is null ? null : DateTimeOffset.FromUnixTimeMilliseconds(first["c"].AsInt64);
    }

    private void TrimToBudgetLocked(ILiteCollection<BsonDocument> col)
    {
        if (_bytes <= _options.MaxBytes)
        {
            return;
        }

        // Down to 90 % so that the next batches do not trim again one by one.
        var target = _options.MaxBytes / 10 * 9;
        var trimmed = 0;
        var oldest = new List<BsonDocument>();
        var freed = 0L;
        foreach (var doc in col.Query().OrderBy("c").ToEnumerable())
        {
            if (_bytes - freed <= target)
            {
                break;
            }

            oldest.Add(doc);
            freed += doc["b"].AsBinary.Length;
        }

        foreach (var doc in oldest)
        {
            _prunedThroughMs = Math.Max(_prunedThroughMs, doc["c"].AsInt64);
            col.Delete(doc["_id"]);
            _count--;
            _bytes -= doc["b"].AsBinary.Length;
            trimmed++;
        }

        Log.Trimmed(_logger, trimmed, _options.MaxBytes);
    }

    private void SaveStateLocked() =>
        _durable.Database.GetCollection(StateCollection).Upsert(new BsonDocument { ["_id"] = 1, ["n"] = _count, ["bytes"] = _bytes, ["pruned"] = _prunedThroughMs });

    private DurableLiteDatabase OpenOrReplace()
    {
        try
        {
            return Open();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException and not DirectoryNotFoundException and not UnauthorizedAccessException)
        {
            // LiteDB reports a damaged file with many exception types (LiteException, ArgumentOutOfRangeException
            // from a garbage header date, InvalidCastException...).
            // A copy of delivered data: an unreadable one is replaced, never a reason to stop the gateway.
            Log.Replaced(_logger, FilePath, ex.Message);
            File.Delete(FilePath);
            File.Delete(DurableLiteDatabase.LogPathFor(FilePath));
            var replaced = Open();
            _prunedThroughMs = _time.GetUtcNow().ToUnixTimeMilliseconds(); // whatever it held is gone
            _durable = replaced;
            SaveStateLocked();
            return replaced;
        }
    }

    private DurableLiteDatabase Open()
    {
        var durable = DurableLiteDatabase.Open(FilePath, new Collation(CultureInfo.InvariantCulture.LCID, CompareOptions.Ordinal));
        try
        {
            var col = durable.Database.GetCollection(Messages);
            col.EnsureIndex("c");
            var state = durable.Database.GetCollection(StateCollection).FindById(1);
            if (state is null)
            {
                _count = 0;
                _bytes = 0;
                foreach (var doc in col.FindAll())
                {
                    _count++;
                    _bytes += doc["b"].AsBinary.Length;
                }
            }
            else
            {
                _count = state["n"].AsInt64;
                _bytes = state["bytes"].AsInt64;
                _prunedThroughMs = state["pruned"].IsNull ? long.MinValue : state["pruned"].AsInt64;
            }

            return durable;
        }
        catch
        {
            durable.Dispose();
            throw;
        }
    }
}
