using EdgeGateway.Contracts.Anpr;
using EdgeGateway.Contracts.V1;
using Google.Protobuf;
using LiteDB;

namespace FleetControl.Anpr;

/// <summary>
/// Reads, hits and image records in <c>anpr.db</c> beside the fleet store; images as files under
/// <c>{DataDirectory}/anpr-images/{yyyyMMdd}/</c>. Every write is idempotent (keyed by read id or message id) and on
/// disk when the call returns. Reads are indexed by normalised VRM and by camera time; an area is filtered from
/// the index-bounded candidates. The embedded default for one instance (<c>Store:Provider=LiteDb</c>).
/// </summary>
internal sealed class LiteDbAnprReadStore : IAnprReadStore
{
    private const string Reads = "reads";
    private const string Images = "images";
    private const string Hits = "hits";

    private readonly AnprLiteDatabase _database;
    private readonly LiteDatabase _db;
    private readonly string _imageFolder;

    public LiteDbAnprReadStore(AnprLiteDatabase database)
    {
        _database = database;
        _db = database.Database;
        _imageFolder = Path.Combine(database.Directory, AnprRegistration.ImageFolderName);
        _db.GetCollection(Reads).EnsureIndex("vrm");
        _db.GetCollection(Reads).EnsureIndex("t");
        _db.GetCollection(Images).EnsureIndex("t");
        _db.GetCollection(Hits).EnsureIndex("t");
    }

    public Task<IReadOnlyList<AnprImageMismatch>> StoreAsync(IReadOnlyList<Envelope> envelopes, CancellationToken cancellationToken)
    {
        var mismatches = new List<AnprImageMismatch>();
        lock (_database.Lock)
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
                            mismatches.Add(new(envelope.DeviceId, image, actual));
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
                                mismatches.Add(new(envelope.DeviceId, hitImage, hitActual));
                            }
                        }

                        _db.GetCollection(Hits).Upsert(new BsonDocument
                        {
                            ["_id"] = envelope.MessageId,
                            ["device"] = envelope.DeviceId,
                            ["read"] = hit.Read.ReadId,
                            ["t"] = hit.Read.CameraTime.ToDateTimeOffset().UtcTicks,
                            ["raw"] = AnprImageFiles.WithoutImages(hit).ToByteArray(),
                        });
                        any = true;
                        break;
                }
            }

            if (any)
            {
                _database.WaitDurable();
            }
        }

        return Task.FromResult<IReadOnlyList<AnprImageMismatch>>(mismatches);
    }

    private void UpsertRead(string deviceId, string messageId, AnprRead read)
    {
        var doc = new BsonDocument
        {
            ["_id"] = read.ReadId,
            ["device"] = deviceId,
            ["msg"] = messageId,
            ["vrm"] = AnprImageFiles.SearchVrm(read),
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
        if (AnprImageFiles.Write(_imageFolder, image, capturedAt) is not { } file)
        {
            return null; // not a name we can file; the envelope itself is kept in the fleet store
        }

        _db.GetCollection(Images).Upsert(new BsonDocument
        {
            ["_id"] = $"{image.ReadId}/{image.Kind}",
            ["t"] = capturedAt.UtcTicks,
            ["path"] = file.RelativePath,
            ["sha"] = file.Actual,
            ["ok"] = file.Ok,
        });
        return file.Ok ? null : file.Actual;
    }

    public Task<IReadOnlyList<AnprReadRecord>> SearchAsync(AnprReadQuery query, CancellationToken cancellationToken)
    {
        lock (_database.Lock)
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

            IReadOnlyList<AnprReadRecord> found = q.OrderByDescending("t").Limit(query.Limit).ToEnumerable().Select(ToRecord).ToList();
            return Task.FromResult(found);
        }
    }

    public Task<IReadOnlyList<AnprHitRecord>> RecentHitsAsync(int limit, CancellationToken cancellationToken)
    {
        lock (_database.Lock)
        {
            IReadOnlyList<AnprHitRecord> hits = _db.GetCollection(Hits).Query().OrderByDescending("t").Limit(limit).ToEnumerable()
                .Select(d => new AnprHitRecord(d["_id"].AsString, d["device"].AsString, AnprHit.Parser.ParseFrom(d["raw"].AsBinary))).ToList();
            return Task.FromResult(hits);
        }
    }

    public Task<string?> ImagePathAsync(string readId, string kind, CancellationToken cancellationToken)
    {
        lock (_database.Lock)
        {
            var doc = _db.GetCollection(Images).FindById($"{readId}/{kind}");
            return Task.FromResult(doc is null ? null : Path.Combine(_imageFolder, doc["path"].AsString));
        }
    }

    public Task<AnprPurgeResult> PurgeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        lock (_database.Lock)
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
            _database.WaitDurable();
            foreach (var folder in Directory.Exists(_imageFolder) ? Directory.EnumerateDirectories(_imageFolder).ToList() : [])
            {
                if (!Directory.EnumerateFileSystemEntries(folder).Any())
                {
                    Directory.Delete(folder);
                }
            }

            return Task.FromResult(new AnprPurgeResult(reads, imageCount, hits));
        }
    }

    private AnprReadRecord ToRecord(BsonDocument doc)
    {
        var read = AnprRead.Parser.ParseFrom(doc["raw"].AsBinary);
        return AnprImageFiles.ToRecord(read, doc["device"].AsString, doc["vrm"].AsString, doc["msg"].AsString, kind =>
        {
            var stored = _db.GetCollection(Images).FindById($"{read.ReadId}/{kind}");
            return stored is null ? null : stored["ok"].AsBoolean;
        });
    }
}
