using System.Globalization;
using EdgeGateway.Storage;
using LiteDB;

namespace FleetControl.Alerts;

/// <summary>
/// The embedded <see cref="AlertStore"/>: <c>alerts.db</c> beside the fleet store. Each alert is one document:
/// the record as JSON plus the indexed fields queries use. Writes are on disk when the call returns.
/// </summary>
internal sealed class LiteDbAlertStore : AlertStore
{
    private const string Alerts = "alerts";
    private readonly DurableLiteDatabase _durable;
    private readonly LiteDatabase _db;
    private readonly Lock _lock = new();

    public LiteDbAlertStore(string databasePath)
    {
        _durable = DurableLiteDatabase.Open(databasePath, new Collation(CultureInfo.InvariantCulture.LCID, CompareOptions.Ordinal));
        _db = _durable.Database;
        _db.GetCollection(Alerts).EnsureIndex("state");
        _db.GetCollection(Alerts).EnsureIndex("at");
    }

    /// <inheritdoc/>
    public override AlertRecord? Get(string alertId)
    {
        lock (_lock)
        {
            var doc = _db.GetCollection(Alerts).FindById(alertId);
            return doc is null ? null : FromDocument(doc);
        }
    }

    /// <inheritdoc/>
    public override AlertRecord? Update(string alertId, Func<AlertRecord?, AlertRecord?> change)
    {
        lock (_lock)
        {
            var col = _db.GetCollection(Alerts);
            var doc = col.FindById(alertId);
            var updated = change(doc is null ? null : FromDocument(doc));
            if (updated is null)
            {
                return null;
            }

            col.Upsert(ToDocument(updated));
            _durable.WaitDurable();
            return updated;
        }
    }

    /// <inheritdoc/>
    public override IReadOnlyList<AlertRecord> List(string? state, string? deviceId, int limit)
    {
        lock (_lock)
        {
            var query = _db.GetCollection(Alerts).Query();
            if (state is not null)
            {
                query = query.Where("state = @0", state);
            }

            if (deviceId is not null)
            {
                query = query.Where("device = @0", deviceId);
            }

            return query.OrderByDescending("at").Limit(limit).ToEnumerable().Select(FromDocument).ToList();
        }
    }

    /// <inheritdoc/>
    public override IReadOnlyList<string> ActiveIds(string rule)
    {
        lock (_lock)
        {
            return _db.GetCollection(Alerts).Query()
                .Where("state = 'active' AND rule = @0", rule)
                .Select("{ id: $._id }")
                .ToEnumerable()
                .Select(d => d["id"].AsString)
                .ToList();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _durable.Dispose();
        }
    }

    private static BsonDocument ToDocument(AlertRecord r) => new()
    {
        ["_id"] = r.AlertId,
        ["rule"] = r.Rule,
        ["device"] = r.DeviceId,
        ["state"] = r.State,
        ["at"] = r.RaisedAt.UtcTicks,
        ["j"] = System.Text.Json.JsonSerializer.Serialize(r),
    };

    private static AlertRecord FromDocument(BsonDocument d) =>
        System.Text.Json.JsonSerializer.Deserialize<AlertRecord>(d["j"].AsString) ?? throw new InvalidDataException($"alert {d["_id"]} is unreadable");
}
