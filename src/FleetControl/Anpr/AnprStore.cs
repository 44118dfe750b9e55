using System.Globalization;
using System.Security.Cryptography;
using EdgeGateway.Contracts.Anpr;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Storage;
using Google.Protobuf;
using LiteDB;

namespace FleetControl.Anpr;

/// <summary>
/// Reads, hits, images and hotlists in <c>anpr.db</c> beside the fleet store; images as files under
/// <c>{DataDirectory}/anpr-images/{yyyyMMdd}/</c>. Every write is idempotent (keyed by read id or message id) and on
/// disk when the call returns. Reads are indexed by normalised VRM and by camera time; an area is filtered from
/// the index-bounded candidates.
/// </summary>
internal sealed class AnprStore : IDisposable
{
    public const string FileName = "anpr.db";

    private const string Reads = "reads";
    private const string Images = "images";
    private const string Hits = "hits";
    private const string Entries = "hotlist_entries";
    private const string Deltas = "hotlist_deltas";
    private const string Devices = "hotlist_devices";
    private const string Meta = "meta";

    private readonly DurableLiteDatabase _durable;
    private readonly LiteDatabase _db;
    private readonly string _imageFolder;
    private readonly Lock _lock = new();

    public AnprStore(string directory)
    {
        _durable = DurableLiteDatabase.Open(Path.Combine(directory, FileName), new Collation(CultureInfo.InvariantCulture.LCID, CompareOptions.Ordinal));
        _db = _durable.Database;
        _imageFolder = Path.Combine(directory, "anpr-images");
        _db.GetCollection(Reads).EnsureIndex("vrm");
        _db.GetCollection(Reads).EnsureIndex("t");
        _db.GetCollection(Images).EnsureIndex("t");
        _db.GetCollection(Hits).EnsureIndex("t");
    }

    /// <summary>Stores reads, images and hits of one ingest commit. Returns the images whose hash did not match (kept, flagged).</summary>
    public List<(string DeviceId, AnprImage Image, string Actual)> Store(IReadOnlyList<Envelope> envelopes)
    {
        var mismatches = new List<(string, AnprImage, string)>();
        lock (_lock)
        {
            var any = false;
            foreach (var envelope in envelopes)
            {
                switch (envelope.BodyCase)
                {
                    case Envelope.BodyOneofCase.AnprRead:
                        UpsertRead(envelope.DeviceId, envelope.MessageId, envelope.AnprRead);
                        any = true;
                        break;
                    case Envelope.BodyOneofCase.AnprImage:
                        var image = envelope.AnprImage;
                        if (StoreImage(image, envelope.CapturedAt?.ToDateTimeOffset() ?? DateTimeOffset.UnixEpoch) is { } actual)
                        {
                            mismatches.Add((envelope.DeviceId, image, actual));
                        }

                        any = true;
                        break;
                    case Envelope.BodyOneofCase.AnprHit:
                        var hit = envelope.AnprHit;
                        UpsertRead(envelope.DeviceId, envelope.MessageId, hit.Read);
                        foreach (var hitImage in hit.Images)
                        {
                            if (StoreImage(hitImage, hit.Read.CameraTime.ToDateTimeOffset()) is { } hitActual)
                            {
                                mismatches.Add((envelope.DeviceId, hitImage, hitActual));
                            }
                        }

                        var stored = hit.Clone();
                        stored.Images.Clear(); // the images are files; the hit keeps their hashes through the read
                        _db.GetCollection(Hits).Upsert(new BsonDocument
                        {
                            ["_id"] = envelope.MessageId,
                            ["device"] = envelope.DeviceId,
                            ["read"] = hit.Read.ReadId,
                            ["t"] = hit.Read.CameraTime.ToDateTimeOffset().UtcTicks,
                            ["raw"] = stored.ToByteArray(),
                        });
                        any = true;
                        break;
                }
            }

            if (any)
            {
                _durable.WaitDurable();
            }
        }

        return mismatches;
    }

    private void UpsertRead(string deviceId, string messageId, AnprRead read)
    {
        var doc = new BsonDocument
        {
            ["_id"] = read.ReadId,
            ["device"] = deviceId,
            ["msg"] = messageId,
            ["vrm"] = AnprVrm.Normalise(read.NormalisedVrm.Length > 0 ? read.NormalisedVrm : read.Vrm) ?? read.Vrm,
            ["t"] = read.CameraTime.ToDateTimeOffset().UtcTicks,
            ["raw"] = read.ToByteArray(),
        };
        if (read.HasLatitude && read.HasLongitude)
        {
            doc["lat"] = read.Latitude;
            doc["lon"] = read.Longitude;
        }

        _db.GetCollection(Reads).Upsert(doc);
    }

    /// <summary>Writes the image file (flushed) and its record; returns the actual hash when it differs from the capture hash.</summary>
    private string? StoreImage(AnprImage image, DateTimeOffset capturedAt)
    {
        if (!Guid.TryParse(image.ReadId, out _) || image.Kind is not ("plate" or "overview"))
        {
            return null; // not a name we can file; the envelope itself is kept in the fleet store
        }

        var bytes = image.Data.Span;
        var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var day = capturedAt.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var folder = Path.Combine(_imageFolder, day);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{image.ReadId}-{image.Kind}.jpg");
        using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read))
        {
            file.Write(bytes);
            file.Flush(flushToDisk: true);
        }

        var ok = string.Equals(actual, image.Sha256, StringComparison.OrdinalIgnoreCase);
        _db.GetCollection(Images).Upsert(new BsonDocument
        {
            ["_id"] = $"{image.ReadId}/{image.Kind}",
            ["t"] = capturedAt.UtcTicks,
            ["path"] = Path.GetRelativePath(_imageFolder, path),
            ["sha"] = actual,
            ["ok"] = ok,
        });
        return ok ? null : actual;
    }

    /// <summary>Reads matching <paramref name="query"/>, newest first.</summary>
    public List<AnprReadRecord> Search(AnprReadQuery query)
    {
        lock (_lock)
        {
            var col = _db.GetCollection(Reads);
            var q = col.Query();
            if (query.Vrm is not null)
            {
                q = q.Where("vrm = @0", AnprVrm.Normalise(query.Vrm) ?? query.Vrm);
            }

            if (query.From is { } from)
            {
                q = q.Where("t >= @0", from.UtcTicks);
            }

            if (query.To is { } to)
            {
                q = q.Where("t < @0", to.UtcTicks);
            }

            if (query.DeviceId is not null)
            {
                q = q.Where("device = @0", query.DeviceId);
            }

            if (query.Area is { } a)
            {
                q = q.Where("lat >= @0 AND lat <= @1 AND lon >= @2 AND lon <= @3", a.South, a.North, a.West, a.East);
            }

            return q.OrderByDescending("t").Limit(query.Limit).ToEnumerable().Select(ToRecord).ToList();
        }
    }

    /// <summary>The hits, newest first.</summary>
    public List<(string MessageId, string DeviceId, AnprHit Hit)> RecentHits(int limit)
    {
        lock (_lock)
        {
            return _db.GetCollection(Hits).Query().OrderByDescending("t").Limit(limit).ToEnumerable()
                .Select(d => (d["_id"].AsString, d["device"].AsString, AnprHit.Parser.ParseFrom(d["raw"].AsBinary))).ToList();
        }
    }

    /// <summary>The file of an image, or null.</summary>
    public string? ImagePath(string readId, string kind)
    {
        lock (_lock)
        {
            var doc = _db.GetCollection(Images).FindById($"{readId}/{kind}");
            return doc is null ? null : Path.Combine(_imageFolder, doc["path"].AsString);
        }
    }

    /// <summary>Deletes reads, images and hits captured before <paramref name="cutoff"/>.</summary>
    public (int Reads, int Images, int Hits) Purge(DateTimeOffset cutoff)
    {
        lock (_lock)
        {
            var ticks = cutoff.UtcTicks;
            var images = _db.GetCollection(Images).Find(Query.LT("t", ticks)).ToList();
            foreach (var image in images)
            {
                File.Delete(Path.Combine(_imageFolder, image["path"].AsString));
            }

            var imageCount = _db.GetCollection(Images).DeleteMany(Query.LT("t", ticks));
            var reads = _db.GetCollection(Reads).DeleteMany(Query.LT("t", ticks));
            var hits = _db.GetCollection(Hits).DeleteMany(Query.LT("t", ticks));
            _durable.WaitDurable();
            foreach (var folder in Directory.Exists(_imageFolder) ? Directory.EnumerateDirectories(_imageFolder).ToList() : [])
            {
                if (!Directory.EnumerateFileSystemEntries(folder).Any())
                {
                    Directory.Delete(folder);
                }
            }

            return (reads, imageCount, hits);
        }
    }

    private AnprReadRecord ToRecord(BsonDocument doc)
    {
        var read = AnprRead.Parser.ParseFrom(doc["raw"].AsBinary);
        var images = read.Images.Select(i =>
        {
            var stored = _db.GetCollection(Images).FindById($"{read.ReadId}/{i.Kind}");
            var state = stored is null ? "pending" : stored["ok"].AsBoolean ? "verified" : "mismatch";
            return new AnprImageRecord(i.Kind, i.Sha256, i.Size, state);
        }).ToList();
        return new AnprReadRecord(
            read.ReadId, doc["device"].AsString, read.Vrm, doc["vrm"].AsString, Math.Round(read.Confidence, 4), read.Country, read.CameraId, read.Lane,
            read.CameraTime.ToDateTimeOffset(), read.ReceivedAt.ToDateTimeOffset(), read.ReceivedTimeSource,
            read.HasLatitude ? read.Latitude : null, read.HasLongitude ? read.Longitude : null, read.HasPositionAgeMs ? read.PositionAgeMs : null,
            images, doc["msg"].AsString);
    }

    // ---- hotlists ----

    /// <summary>The current hotlist version (0 before the first change).</summary>
    public long HotlistVersion
    {
        get
        {
            lock (_lock)
            {
                return _db.GetCollection(Meta).FindById("hotlist")?["version"].AsInt64 ?? 0;
            }
        }
    }

    /// <summary>
    /// Applies a change as the next version: entries upserted and removed, the delta kept for vehicles to
    /// catch up with. Returns the new version and the delta (base = previous version).
    /// </summary>
    public HotlistUpdate ChangeHotlist(IReadOnlyList<HotlistEntry> upserts, IReadOnlyList<string> removals)
    {
        lock (_lock)
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
            _durable.WaitDurable();
            return delta;
        }
    }

    /// <summary>Every entry of the current version (optionally only one VRM).</summary>
    public List<HotlistEntry> HotlistEntries(string? vrm = null)
    {
        lock (_lock)
        {
            var col = _db.GetCollection(Entries);
            var docs = vrm is null ? col.FindAll() : col.Find(Query.EQ("_id", vrm));
            return docs.Select(d => HotlistEntry.Parser.ParseFrom(d["raw"].AsBinary)).ToList();
        }
    }

    /// <summary>
    /// What takes a vehicle from <paramref name="held"/> to the current version: one combined delta when every
    /// delta since is kept, else null (the caller sends a snapshot).
    /// </summary>
    public HotlistUpdate? DeltaSince(long held)
    {
        lock (_lock)
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
        lock (_lock)
        {
            return _db.GetCollection(Devices).FindById(deviceId) is { } doc ? ToDevice(doc) : null;
        }
    }

    public List<HotlistDeviceRecord> DevicesHoldingHotlists()
    {
        lock (_lock)
        {
            return _db.GetCollection(Devices).FindAll().Select(ToDevice).ToList();
        }
    }

    public void SaveDevice(HotlistDeviceRecord device)
    {
        lock (_lock)
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
            _durable.WaitDurable();
        }
    }

    private static HotlistDeviceRecord ToDevice(BsonDocument doc) => new(
        doc["_id"].AsString,
        doc["version"].AsInt64,
        new DateTimeOffset(doc["at"].AsInt64, TimeSpan.Zero),
        doc["pending"].AsArray.Select(v => v.AsString).ToList(),
        doc["pendingVersion"].AsInt64);

    private long HotlistVersionUnlocked() => _db.GetCollection(Meta).FindById("hotlist")?["version"].AsInt64 ?? 0;

    public void Dispose() => _durable.Dispose();
}
