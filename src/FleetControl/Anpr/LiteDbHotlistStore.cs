using EdgeGateway.Contracts.V1;
using Google.Protobuf;
using LiteDB;

namespace FleetControl.Anpr;

/// <summary>Hotlist entries, deltas and vehicles' hotlist state in <c>anpr.db</c> (the embedded default; see <see cref="IHotlistStore"/>).</summary>
internal sealed class LiteDbHotlistStore(AnprLiteDatabase database) : IHotlistStore
{
    private const string Entries = "hotlist_entries";
    private const string Deltas = "hotlist_deltas";
    private const string Devices = "hotlist_devices";
    private const string Meta = "meta";

    private readonly AnprLiteDatabase _database = database;
    private readonly LiteDatabase _db = database.Database;

    public long HotlistVersion
    {
        get
        {
            lock (_database.Lock)
            {
                return _db.GetCollection(Meta).FindById("hotlist")?["version"].AsInt64 ?? 0;
            }
        }
    }

    public HotlistUpdate ChangeHotlist(IReadOnlyList<HotlistEntry> upserts, IReadOnlyList<string> removals)
    {
        lock (_database.Lock)
        {
            var version = HotlistVersionUnlocked() + 1;
            var delta = new HotlistUpdate { Version = version, BaseVersion = version - 1, Part = 1, Parts = 1 };
            var entries = _db.GetCollection(Entries);
            foreach (var vrm in removals)
            {
                if (entries.Delete(vrm))
                {
                    delta.Removals.Add(vrm);
                }
            }

            foreach (var entry in upserts)
            {
                entries.Upsert(new BsonDocument { ["_id"] = entry.Vrm, ["raw"] = entry.ToByteArray() });
                delta.Upserts.Add(entry);
            }

            _db.GetCollection(Deltas).Upsert(new BsonDocument { ["_id"] = version, ["raw"] = delta.ToByteArray() });
            _db.GetCollection(Meta).Upsert(new BsonDocument { ["_id"] = "hotlist", ["version"] = version });
            _database.WaitDurable();
            return delta;
        }
    }

    public List<HotlistEntry> HotlistEntries(string? vrm = null)
    {
        lock (_database.Lock)
        {
            var col = _db.GetCollection(Entries);
            var docs = vrm is null ? col.FindAll() : col.Find(Query.EQ("_id", vrm));
            return docs.Select(d => HotlistEntry.Parser.ParseFrom(d["raw"].AsBinary)).ToList();
        }
    }

    public HotlistUpdate? DeltaSince(long held)
    {
        lock (_database.Lock)
        {
            var current = HotlistVersionUnlocked();
            if (held <= 0 || held >= current)
            {
                return null;
            }

            var upserts = new Dictionary<string, HotlistEntry>(StringComparer.Ordinal);
            var removals = new HashSet<string>(StringComparer.Ordinal);
            for (var v = held + 1; v <= current; v++)
            {
                if (_db.GetCollection(Deltas).FindById(v) is not { } doc)
                {
                    return null;
                }

                var delta = HotlistUpdate.Parser.ParseFrom(doc["raw"].AsBinary);
                foreach (var vrm in delta.Removals)
                {
                    upserts.Remove(vrm);
                    removals.Add(vrm);
                }

                foreach (var entry in delta.Upserts)
                {
                    removals.Remove(entry.Vrm);
                    upserts[entry.Vrm] = entry;
                }
            }

            var combined = new HotlistUpdate { Version = current, BaseVersion = held, Part = 1, Parts = 1 };
            combined.Upserts.AddRange(upserts.Values);
            combined.Removals.AddRange(removals);
            return combined;
        }
    }

    public HotlistDeviceRecord? Device(string deviceId)
    {
        lock (_database.Lock)
        {
            return _db.GetCollection(Devices).FindById(deviceId) is { } doc ? ToDevice(doc) : null;
        }
    }

    public List<HotlistDeviceRecord> DevicesHoldingHotlists()
    {
        lock (_database.Lock)
        {
            return _db.GetCollection(Devices).FindAll().Select(ToDevice).ToList();
        }
    }

    public void SaveDevice(HotlistDeviceRecord device)
    {
        lock (_database.Lock)
        {
            var doc = new BsonDocument
            {
                ["_id"] = device.DeviceId,
                ["version"] = device.Version,
                ["at"] = device.ReportedAt.UtcTicks,
                ["pending"] = new BsonArray(device.PendingCommands.Select(c => new BsonValue(c))),
                ["pendingVersion"] = device.PendingVersion,
            };
            _db.GetCollection(Devices).Upsert(doc);
            _database.WaitDurable();
        }
    }

    private static HotlistDeviceRecord ToDevice(BsonDocument doc) => new(
        doc["_id"].AsString,
        doc["version"].AsInt64,
        new DateTimeOffset(doc["at"].AsInt64, TimeSpan.Zero),
        doc["pending"].AsArray.Select(v => v.AsString).ToList(),
        doc["pendingVersion"].AsInt64);

    private long HotlistVersionUnlocked() => _db.GetCollection(Meta).FindById("hotlist")?["version"].AsInt64 ?? 0;
}
