using System.Collections.Concurrent;
using System.Globalization;
using EdgeGateway.Contracts.Anpr;
using EdgeGateway.Contracts.V1;
using Google.Protobuf;
using Npgsql;
using NpgsqlTypes;

namespace FleetControl.Anpr.PostgreSql;

/// <summary>
/// ANPR reads, image records and hits in the PostgreSQL database that several FleetControl instances share
/// (<c>Store:Provider=PostgreSql</c>); image files in the shared vault directory under
/// <c>{vault}/anpr-images/{yyyyMMdd}/</c>, so any instance finds any read and serves its images. One ingest commit
/// is one transaction; a redelivered read, image or hit lands on its primary key (which holds the day it is
/// partitioned by) and changes nothing. Retention drops whole daily partitions and their image folders.
/// </summary>
internal sealed class PostgreSqlAnprReadStore : IAnprReadStore
{
    private const string ReadColumns = "raw, device_id, vrm, message_id";

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _imageFolder;
    private readonly ConcurrentDictionary<(string Table, DateOnly Day), bool> _partitions = new();

    /// <param name="dataSource">The shared database, migrated.</param>
    /// <param name="imageFolder">Where image files go: <c>{vault}/anpr-images</c>, shared by every instance.</param>
    public PostgreSqlAnprReadStore(NpgsqlDataSource dataSource, string imageFolder)
    {
        _dataSource = dataSource;
        _imageFolder = Path.GetFullPath(imageFolder);
    }

    /// <summary>
    /// The search for <paramref name="query"/> into <paramref name="cmd"/>: newest first with a LIMIT, each shape on an
    /// index (an EXPLAIN test checks it). Parameters: <c>@vrm</c>, <c>@from</c>, <c>@to</c>, <c>@device</c>, the area's
    /// <c>@s @w @n @e</c>, <c>@limit</c>.
    /// </summary>
    internal static void PrepareSearch(NpgsqlCommand cmd, AnprReadQuery query)
    {
        var where = new List<string>();
        if (query.Vrm is not null)
        {
            where.Add("vrm = @vrm");
            cmd.Parameters.AddWithValue("vrm", AnprVrm.Normalise(query.Vrm) ?? query.Vrm);
        }

        if (query.From is { } from)
        {
            where.Add("camera_time >= @from");
            cmd.Parameters.Add(new NpgsqlParameter("from", NpgsqlDbType.TimestampTz) { Value = Utc(from) });
        }

        if (query.To is { } to)
        {
            where.Add("camera_time < @to");
            cmd.Parameters.Add(new NpgsqlParameter("to", NpgsqlDbType.TimestampTz) { Value = Utc(to) });
        }

        if (query.DeviceId is not null)
        {
            where.Add("device_id = @device");
            cmd.Parameters.AddWithValue("device", query.DeviceId);
        }

        if (query.Area is { } a)
        {
            where.Add("point(longitude, latitude) <@ box(point(@w, @s), point(@e, @n))");
            cmd.Parameters.AddWithValue("s", a.South);
            cmd.Parameters.AddWithValue("w", a.West);
            cmd.Parameters.AddWithValue("n", a.North);
            cmd.Parameters.AddWithValue("e", a.East);
        }

        cmd.CommandText = $"SELECT {ReadColumns} FROM anpr_reads{(where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : string.Empty)} " +
            "ORDER BY camera_time DESC LIMIT @limit";
        cmd.Parameters.AddWithValue("limit", query.Limit);
    }

    /// <summary>The hits, newest first (index on <c>captured_at DESC</c>).</summary>
    internal const string RecentHitsQuery = "SELECT message_id, device_id, raw FROM anpr_hits ORDER BY captured_at DESC LIMIT @limit";

    /// <summary>An image's file (primary key prefix).</summary>
    internal const string ImageQuery = "SELECT path FROM anpr_images WHERE read_id = @r AND kind = @k LIMIT 1";

    /// <summary>The stored state of the images of some reads (primary key prefix).</summary>
    internal const string ImageStatesQuery = "SELECT read_id, kind, ok FROM anpr_images WHERE read_id = ANY(@ids)";

    public async Task<IReadOnlyList<AnprImageMismatch>> StoreAsync(IReadOnlyList<Envelope> envelopes, CancellationToken cancellationToken)
    {
        var reads = new Dictionary<string, (string DeviceId, string MessageId, AnprRead Read)>(StringComparer.Ordinal);
        var images = new List<(string DeviceId, AnprImage Image, DateTimeOffset CapturedAt)>();
        var hits = new Dictionary<string, (string DeviceId, AnprHit Hit)>(StringComparer.Ordinal);
        foreach (var envelope in envelopes)
        {
            switch (envelope.BodyCase)
            {
                case Envelope.BodyOneofCase.AnprRead:
                    reads.TryAdd(envelope.AnprRead.ReadId, (envelope.DeviceId, envelope.MessageId, envelope.AnprRead));
                    break;
                case Envelope.BodyOneofCase.AnprImage:
                    images.Add((envelope.DeviceId, envelope.AnprImage, envelope.CapturedAt?.ToDateTimeOffset() ?? DateTimeOffset.UnixEpoch));
                    break;
                case Envelope.BodyOneofCase.AnprHit:
                    var hit = envelope.AnprHit;
                    reads.TryAdd(hit.Read.ReadId, (envelope.DeviceId, envelope.MessageId, hit.Read));
                    images.AddRange(hit.Images.Select(i => (envelope.DeviceId, i, hit.Read.CameraTime.ToDateTimeOffset())));
                    hits.TryAdd(envelope.MessageId, (envelope.DeviceId, hit));
                    break;
            }
        }

        if (reads.Count == 0 && images.Count == 0 && hits.Count == 0)
        {
            return [];
        }

        // The files first (flushed): a row never names a file that is not there.
        var mismatches = new List<AnprImageMismatch>();
        var files = new List<(AnprImage Image, DateTime CapturedAt, AnprImageFiles.Written File)>();
        foreach (var (deviceId, image, capturedAt) in images)
        {
            if (AnprImageFiles.Write(_imageFolder, image, capturedAt) is not { } file)
            {
                continue; // not a name we can file; the envelope itself is kept in the fleet store
            }

            files.Add((image, Utc(capturedAt), file));
            if (!file.Ok)
            {
                mismatches.Add(new(deviceId, image, file.Actual));
            }
        }

        var days = new HashSet<(string, DateOnly)>();
        days.UnionWith(reads.Values.Select(r => ("anpr_reads", Day(r.Read.CameraTime.ToDateTimeOffset()))));
        days.UnionWith(files.Select(f => ("anpr_images", DateOnly.FromDateTime(f.CapturedAt))));
        days.UnionWith(hits.Values.Select(h => ("anpr_hits", Day(h.Hit.Read.CameraTime.ToDateTimeOffset()))));
        try
        {
            await StoreOnceAsync(days, reads, files, hits, cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.CheckViolation && e.MessageText.StartsWith("no partition", StringComparison.Ordinal))
        {
            // Another instance's retention dropped a day this one remembered: forget what is known and try once more.
            _partitions.Clear();
            await StoreOnceAsync(days, reads, files, hits, cancellationToken);
        }

        return mismatches;
    }

    private async Task StoreOnceAsync(
        HashSet<(string Table, DateOnly Day)> days,
        Dictionary<string, (string DeviceId, string MessageId, AnprRead Read)> reads,
        List<(AnprImage Image, DateTime CapturedAt, AnprImageFiles.Written File)> files,
        Dictionary<string, (string DeviceId, AnprHit Hit)> hits,
        CancellationToken cancellationToken)
    {
        await EnsurePartitionsAsync(days, cancellationToken);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection, transaction);
        if (reads.Count > 0)
        {
            var r = reads.Values.ToArray();
            var cmd = new NpgsqlBatchCommand(
                """
                INSERT INTO anpr_reads (read_id, camera_time, device_id, message_id, vrm, latitude, longitude, raw)
                SELECT * FROM unnest(@id, @t, @d, @m, @vrm, @lat, @lon, @raw)
                ON CONFLICT DO NOTHING
                """);
            cmd.Parameters.Add(Array("id", NpgsqlDbType.Text, r.Select(x => x.Read.ReadId).ToArray()));
            cmd.Parameters.Add(Array("t", NpgsqlDbType.TimestampTz, r.Select(x => Utc(x.Read.CameraTime.ToDateTimeOffset())).ToArray()));
            cmd.Parameters.Add(Array("d", NpgsqlDbType.Text, r.Select(x => x.DeviceId).ToArray()));
            cmd.Parameters.Add(Array("m", NpgsqlDbType.Text, r.Select(x => x.MessageId).ToArray()));
            cmd.Parameters.Add(Array("vrm", NpgsqlDbType.Text, r.Select(x => AnprImageFiles.SearchVrm(x.Read)).ToArray()));
            cmd.Parameters.Add(Array("lat", NpgsqlDbType.Double, r.Select(x => x.Read.HasLatitude && x.Read.HasLongitude ? x.Read.Latitude : (double?)null).ToArray()));
            cmd.Parameters.Add(Array("lon", NpgsqlDbType.Double, r.Select(x => x.Read.HasLatitude && x.Read.HasLongitude ? x.Read.Longitude : (double?)null).ToArray()));
            cmd.Parameters.Add(Array("raw", NpgsqlDbType.Bytea, r.Select(x => x.Read.ToByteArray()).ToArray()));
            batch.BatchCommands.Add(cmd);
        }

        // The latest copy of an image wins (its file was just rewritten with these bytes).
        foreach (var image in files.GroupBy(f => (f.Image.ReadId, f.Image.Kind, f.CapturedAt)).Select(g => g.Last()))
        {
            var cmd = new NpgsqlBatchCommand(
                """
                INSERT INTO anpr_images (read_id, kind, captured_at, path, sha256, ok) VALUES (@r, @k, @t, @p, @s, @ok)
                ON CONFLICT (read_id, kind, captured_at) DO UPDATE SET path = excluded.path, sha256 = excluded.sha256, ok = excluded.ok
                """);
            cmd.Parameters.AddWithValue("r", image.Image.ReadId);
            cmd.Parameters.AddWithValue("k", image.Image.Kind);
            cmd.Parameters.Add(new NpgsqlParameter("t", NpgsqlDbType.TimestampTz) { Value = image.CapturedAt });
            cmd.Parameters.AddWithValue("p", image.File.RelativePath);
            cmd.Parameters.AddWithValue("s", image.File.Actual);
            cmd.Parameters.AddWithValue("ok", image.File.Ok);
            batch.BatchCommands.Add(cmd);
        }

        if (hits.Count > 0)
        {
            var h = hits.ToArray();
            var cmd = new NpgsqlBatchCommand(
                "INSERT INTO anpr_hits (message_id, captured_at, device_id, read_id, raw) SELECT * FROM unnest(@m, @t, @d, @r, @raw) ON CONFLICT DO NOTHING");
            cmd.Parameters.Add(Array("m", NpgsqlDbType.Text, h.Select(x => x.Key).ToArray()));
            cmd.Parameters.Add(Array("t", NpgsqlDbType.TimestampTz, h.Select(x => Utc(x.Value.Hit.Read.CameraTime.ToDateTimeOffset())).ToArray()));
            cmd.Parameters.Add(Array("d", NpgsqlDbType.Text, h.Select(x => x.Value.DeviceId).ToArray()));
            cmd.Parameters.Add(Array("r", NpgsqlDbType.Text, h.Select(x => x.Value.Hit.Read.ReadId).ToArray()));
            cmd.Parameters.Add(Array("raw", NpgsqlDbType.Bytea, h.Select(x => AnprImageFiles.WithoutImages(x.Value.Hit).ToByteArray()).ToArray()));
            batch.BatchCommands.Add(cmd);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<AnprReadRecord>> SearchAsync(AnprReadQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var rows = new List<(AnprRead Read, string DeviceId, string Vrm, string MessageId)>();
        await using (var cmd = new NpgsqlCommand(null, connection))
        {
            PrepareSearch(cmd, query);
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add((AnprRead.Parser.ParseFrom((byte[])reader[0]), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
            }
        }

        var states = new Dictionary<(string ReadId, string Kind), bool>();
        if (rows.Count > 0)
        {
            await using var cmd = new NpgsqlCommand(ImageStatesQuery, connection);
            cmd.Parameters.Add(Array("ids", NpgsqlDbType.Text, rows.Select(r => r.Read.ReadId).Distinct(StringComparer.Ordinal).ToArray()));
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                states[(reader.GetString(0), reader.GetString(1))] = reader.GetBoolean(2);
            }
        }

        return rows.Select(r => AnprImageFiles.ToRecord(r.Read, r.DeviceId, r.Vrm, r.MessageId,
            kind => states.TryGetValue((r.Read.ReadId, kind), out var ok) ? ok : null)).ToList();
    }

    public async Task<IReadOnlyList<AnprHitRecord>> RecentHitsAsync(int limit, CancellationToken cancellationToken)
    {
        await using var cmd = _dataSource.CreateCommand(RecentHitsQuery);
        cmd.Parameters.AddWithValue("limit", limit);
        var hits = new List<AnprHitRecord>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            hits.Add(new AnprHitRecord(reader.GetString(0), reader.GetString(1), AnprHit.Parser.ParseFrom((byte[])reader[2])));
        }

        return hits;
    }

    public async Task<string?> ImagePathAsync(string readId, string kind, CancellationToken cancellationToken)
    {
        await using var cmd = _dataSource.CreateCommand(ImageQuery);
        cmd.Parameters.AddWithValue("r", readId);
        cmd.Parameters.AddWithValue("k", kind);
        return await cmd.ExecuteScalarAsync(cancellationToken) is string path ? Path.Combine(_imageFolder, path) : null;
    }

    public async Task<AnprPurgeResult> PurgeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var lastDay = Day(cutoff).AddDays(-1); // a partition of day D ends at D+1 00:00
        var victims = new List<(string Table, string Name)>();
        await using (var list = _dataSource.CreateCommand(
            "SELECT p.relname, c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent " +
            "WHERE p.relname = ANY(@parents) AND c.relname ~ '_p[0-9]{8}$'"))
        {
            list.Parameters.AddWithValue("parents", AnprSchema.PartitionedTables);
            await using var reader = await list.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var name = reader.GetString(1);
                if (ParseDay(name[^8..]) is { } day && day <= lastDay)
                {
                    victims.Add((reader.GetString(0), name));
                }
            }
        }

        int reads = 0, images = 0, hits = 0;
        foreach (var (table, name) in victims.OrderBy(v => v.Name, StringComparer.Ordinal))
        {
            var rows = await DropPartitionAsync(name, cancellationToken);
            if (table == "anpr_reads")
            {
                reads += rows;
            }
            else if (table == "anpr_images")
            {
                images += rows;
            }
            else
            {
                hits += rows;
            }
        }

        _partitions.Clear();

        // The image folders of the dropped days (and any older leftover).
        foreach (var folder in Directory.Exists(_imageFolder) ? Directory.EnumerateDirectories(_imageFolder).ToList() : [])
        {
            if (ParseDay(Path.GetFileName(folder)) is { } day && day <= lastDay)
            {
                try
                {
                    Directory.Delete(folder, recursive: true);
                }
                catch (IOException) when (!Directory.Exists(folder))
                {
                    // another instance purging at the same moment deleted it first
                }
            }
        }

        return new AnprPurgeResult(reads, images, hits);
    }

    /// <summary>
    /// Counts and drops one partition under the same advisory lock as <c>fc_ensure_day_partition</c>, so two instances
    /// purging at once count each partition once. Returns its rows (0 when another instance dropped it first).
    /// </summary>
    private async Task<int> DropPartitionAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext(@n))", connection, transaction))
        {
            lockCommand.Parameters.AddWithValue("n", name);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var exists = new NpgsqlCommand("SELECT to_regclass(@n) IS NOT NULL", connection, transaction))
        {
            exists.Parameters.AddWithValue("n", name);
            if (await exists.ExecuteScalarAsync(cancellationToken) is not true)
            {
                return 0;
            }
        }

        long rows;
        await using (var count = new NpgsqlCommand($"SELECT count(*) FROM \"{name}\"", connection, transaction))
        {
            rows = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
        }

        await using (var drop = new NpgsqlCommand($"DROP TABLE \"{name}\"", connection, transaction))
        {
            await drop.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return (int)rows;
    }

    private async Task EnsurePartitionsAsync(HashSet<(string Table, DateOnly Day)> days, CancellationToken cancellationToken)
    {
        var missing = days.Where(d => !_partitions.ContainsKey(d)).OrderBy(d => d.Table, StringComparer.Ordinal).ThenBy(d => d.Day).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        foreach (var (table, day) in missing)
        {
            // Its own short transaction (the function's advisory lock is transaction-scoped).
            await using var cmd = new NpgsqlCommand("SELECT fc_ensure_day_partition(@t, @at)", connection);
            cmd.Parameters.AddWithValue("t", table);
            cmd.Parameters.Add(new NpgsqlParameter("at", NpgsqlDbType.TimestampTz) { Value = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) });
            await cmd.ExecuteNonQueryAsync(cancellationToken);
            _partitions[(table, day)] = true;
        }
    }

    private static DateOnly? ParseDay(string text) =>
        DateOnly.TryParseExact(text, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day : null;

    private static DateOnly Day(DateTimeOffset at) => DateOnly.FromDateTime(at.UtcDateTime);

    /// <summary>PostgreSQL keeps microseconds: the time rounded down to them.</summary>
    private static DateTime Utc(DateTimeOffset at)
    {
        var ticks = at.UtcTicks;
        return new DateTime(ticks - (ticks % 10), DateTimeKind.Utc);
    }

    private static NpgsqlParameter Array<T>(string name, NpgsqlDbType type, T[] values) =>
        new(name, NpgsqlDbType.Array | type) { Value = values };
}
