using System.Collections.Concurrent;
using System.Globalization;
using EdgeGateway.Contracts.V1;
using Google.Protobuf;
using Npgsql;
using NpgsqlTypes;

namespace FleetControl.Store.PostgreSql;

/// <summary>
/// <see cref="IFleetStore"/> on a PostgreSQL database that several FleetControl instances share.
/// One batch is one transaction: the envelopes go in with <c>INSERT ... ON CONFLICT DO NOTHING
/// RETURNING</c>, so the database itself decides which message ids are new (also against a batch
/// another instance is committing at the same moment: the second insert waits for the first's
/// commit and then skips). Only the new ones add positions, events and device counters, and the
/// call returns after the commit, so the acknowledgement still follows durability. Envelopes and
/// positions live in daily partitions made on demand; <see cref="DropPartitionsBeforeAsync"/> drops
/// old days whole.
/// </summary>
internal sealed class PostgreSqlFleetStore : IFleetStore
{
    /// <summary>Tables partitioned by day.</summary>
    internal static readonly string[] PartitionedTables = ["envelopes", "positions"];

    /// <summary>Attempts at a batch that PostgreSQL ends as a deadlock victim or a serialization failure.</summary>
    private const int DeadlockAttempts = 3;

    private const string DeviceColumns =
        "device_id, role, software_version, hostname, capabilities, registered_at, online, last_seen, envelopes, positions, " +
        "last_position_captured, last_position, health, health_at, dock, dock_at";

    /// <summary>The read queries (an EXPLAIN test checks each one has an index behind it).</summary>
    internal const string DevicesQuery = $"SELECT {DeviceColumns} FROM devices ORDER BY device_id";

    /// <summary>
    /// The fleet table's page of devices: <c>@f</c> an ILIKE pattern on id or role (trigram indexes), <c>@o</c> the
    /// online flag ((online, device_id) index, already in id order), <c>@n</c> and <c>@k</c> limit and offset.
    /// </summary>
    internal static string DevicePageQuery(bool filter, bool online) =>
        $"SELECT {DeviceColumns} FROM devices{DeviceWhere(filter, online)} ORDER BY device_id LIMIT @n OFFSET @k";

    /// <summary>How many devices the fleet table's filter matches (same parameters as <see cref="DevicePageQuery"/>).</summary>
    internal static string DeviceMatchCountQuery(bool filter, bool online) =>
        $"SELECT count(*) FROM devices{DeviceWhere(filter, online)}";

    internal const string DeviceQuery = $"SELECT {DeviceColumns} FROM devices WHERE device_id = @id";

    internal const string PositionsQuery =
        "SELECT message_id, device_id, sequence, fix_time, latitude, longitude, altitude, speed, track, mode FROM positions " +
        "WHERE device_id = @d ORDER BY fix_time DESC, message_id DESC LIMIT @n";

    internal const string PositionsWindowQuery =
        "SELECT message_id, device_id, sequence, fix_time, latitude, longitude, altitude, speed, track, mode FROM positions " +
        "WHERE device_id = @d AND fix_time >= @from AND fix_time < @to ORDER BY fix_time, message_id LIMIT @n";

    internal const string PositionsWindowAfterQuery =
        "SELECT message_id, device_id, sequence, fix_time, latitude, longitude, altitude, speed, track, mode FROM positions " +
        "WHERE device_id = @d AND fix_time >= @from AND fix_time < @to AND (fix_time, message_id) > (@at, @after) ORDER BY fix_time, message_id LIMIT @n";

    internal const string DataLossQuery = "SELECT message_id, captured_at, raw FROM data_loss WHERE device_id = @d ORDER BY captured_at";

    internal const string HealthQuery =
        "SELECT captured_at, raw FROM health WHERE device_id = @d AND captured_at >= @from AND captured_at <= @to ORDER BY captured_at DESC, message_id DESC LIMIT @n";

    internal const string EventsQuery = "SELECT message_id, stream, captured_at, raw FROM events WHERE device_id = @d ORDER BY captured_at DESC LIMIT @n";

    private readonly NpgsqlDataSource _dataSource;
    private readonly ConcurrentDictionary<(string Table, DateOnly Day), bool> _partitions = new();

    public PostgreSqlFleetStore(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    public async Task<StoreBatchResult> StoreEnvelopesAsync(IReadOnlyList<Envelope> envelopes, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        if (envelopes.Count == 0)
        {
            return default;
        }

        var batch = new List<(Envelope Envelope, DateTime Captured)>(envelopes.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var envelope in envelopes)
        {
            if (seen.Add(envelope.MessageId))
            {
                batch.Add((envelope, Utc(envelope.CapturedAt?.ToDateTimeOffset() ?? receivedAt)));
            }
        }

        try
        {
            return await StoreRetryingAsync(batch, envelopes.Count - batch.Count, receivedAt, cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.CheckViolation && e.MessageText.StartsWith("no partition", StringComparison.Ordinal))
        {
            // "no partition of relation found for row": another instance's retention dropped a day this
            // instance had remembered. Forget what is known and try the batch once more.
            _partitions.Clear();
            return await StoreRetryingAsync(batch, envelopes.Count - batch.Count, receivedAt, cancellationToken);
        }
    }

    /// <summary>
    /// <see cref="StoreOnceAsync"/>, again (at most <see cref="DeadlockAttempts"/> times in all) when PostgreSQL ended the
    /// transaction as a deadlock victim or a serialization failure: the whole batch is one transaction, rolled back, so
    /// trying it again stores each envelope once. Rows are locked in key order (envelope ids, dedupe keys, device ids),
    /// so instances storing overlapping batches should not deadlock; this is the net under that rule.
    /// </summary>
    private async Task<StoreBatchResult> StoreRetryingAsync(List<(Envelope Envelope, DateTime Captured)> batch, int repeated, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StoreOnceAsync(batch, repeated, receivedAt, cancellationToken);
            }
            catch (PostgresException e) when (attempt < DeadlockAttempts && e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
            {
                // Rolled back as a whole: nothing of this attempt is stored.
            }
        }
    }

    private async Task<StoreBatchResult> StoreOnceAsync(List<(Envelope Envelope, DateTime Captured)> batch, int repeated, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        var received = Utc(receivedAt);
        var days = new HashSet<(string, DateOnly)>();
        foreach (var (envelope, captured) in batch)
        {
            days.Add(("envelopes", DateOnly.FromDateTime(captured)));
            if (envelope.BodyCase == Envelope.BodyOneofCase.Position)
            {
                days.Add(("positions", DateOnly.FromDateTime(FixTime(envelope, captured))));
            }
        }

        await EnsurePartitionsAsync(days, cancellationToken);

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        var keyDuplicates = 0;
        var keyed = batch.Where(b => b.Envelope.DedupeKey.Length > 0).ToList();
        if (keyed.Count > 0)
        {
            // Claim the envelopes' second keys first: one that another envelope (or instance) holds makes this one a duplicate.
            var claimed = await ClaimDedupeKeysAsync(connection, transaction, keyed, received, cancellationToken);
            var before = batch.Count;
            batch = batch.Where(b => b.Envelope.DedupeKey.Length == 0 || claimed.Contains(b.Envelope.MessageId)).ToList();
            keyDuplicates = before - batch.Count;
        }

        var inserted = new HashSet<string>(StringComparer.Ordinal);
        await using (var insert = new NpgsqlCommand(
            """
            INSERT INTO envelopes (message_id, captured_at, device_id, received_at, raw)
            SELECT m, c, d, @received, r FROM unnest(@ids, @captured, @devices, @raws) AS u(m, c, d, r)
            ORDER BY m
            ON CONFLICT DO NOTHING
            RETURNING message_id
            """,
            connection,
            transaction))
        {
            insert.Parameters.Add(Array("ids", NpgsqlDbType.Text, batch.Select(b => b.Envelope.MessageId).ToArray()));
            insert.Parameters.Add(Array("captured", NpgsqlDbType.TimestampTz, batch.Select(b => b.Captured).ToArray()));
            insert.Parameters.Add(Array("devices", NpgsqlDbType.Text, batch.Select(b => b.Envelope.DeviceId).ToArray()));
            insert.Parameters.Add(Array("raws", NpgsqlDbType.Bytea, batch.Select(b => b.Envelope.ToByteArray()).ToArray()));
            insert.Parameters.Add(new NpgsqlParameter("received", NpgsqlDbType.TimestampTz) { Value = received });
            await using var reader = await insert.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                inserted.Add(reader.GetString(0));
            }
        }

        var fresh = batch.Where(b => inserted.Contains(b.Envelope.MessageId)).ToList();
        if (fresh.Count > 0)
        {
            await InsertBodiesAsync(connection, transaction, fresh, cancellationToken);
            await UpdateDevicesAsync(connection, transaction, fresh, received, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return new StoreBatchResult(fresh.Count, repeated + keyDuplicates + batch.Count - fresh.Count);
    }

    /// <summary>
    /// Inserts the (device, dedupe key) rows of <paramref name="keyed"/> (ON CONFLICT DO NOTHING, so the database decides,
    /// also against another instance's batch); returns the message ids whose key this call claimed. Within the batch
    /// the first envelope of a key claims it.
    /// </summary>
    private static async Task<HashSet<string>> ClaimDedupeKeysAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<(Envelope Envelope, DateTime Captured)> keyed, DateTime received, CancellationToken cancellationToken)
    {
        var first = keyed.DistinctBy(b => (b.Envelope.DeviceId, b.Envelope.DedupeKey)).Select(b => b.Envelope).ToList();
        var claimed = new HashSet<string>(StringComparer.Ordinal);
        await using var insert = new NpgsqlCommand(
            """
            INSERT INTO envelope_dedupe (device_id, dedupe_key, message_id, received_at)
            SELECT d, k, m, @received FROM unnest(@d, @k, @m) AS u(d, k, m)
            ORDER BY d, k
            ON CONFLICT DO NOTHING
            RETURNING message_id
            """,
            connection,
            transaction);
        insert.Parameters.Add(Array("d", NpgsqlDbType.Text, first.Select(e => e.DeviceId).ToArray()));
        insert.Parameters.Add(Array("k", NpgsqlDbType.Text, first.Select(e => e.DedupeKey).ToArray()));
        insert.Parameters.Add(Array("m", NpgsqlDbType.Text, first.Select(e => e.MessageId).ToArray()));
        insert.Parameters.Add(new NpgsqlParameter("received", NpgsqlDbType.TimestampTz) { Value = received });
        await using var reader = await insert.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            claimed.Add(reader.GetString(0));
        }

        return claimed;
    }

    private static async Task InsertBodiesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<(Envelope Envelope, DateTime Captured)> fresh, CancellationToken cancellationToken)
    {
        var positions = fresh.Where(b => b.Envelope.BodyCase == Envelope.BodyOneofCase.Position).ToList();
        var events = fresh.Where(b => b.Envelope.BodyCase == Envelope.BodyOneofCase.Event).ToList();
        var health = fresh.Where(b => b.Envelope.BodyCase == Envelope.BodyOneofCase.Health).ToList();
        var losses = fresh.Where(b => b.Envelope.BodyCase == Envelope.BodyOneofCase.DataLoss).ToList();

        await using var commands = new NpgsqlBatch(connection, transaction);
        if (positions.Count > 0)
        {
            var cmd = new NpgsqlBatchCommand(
                """
                INSERT INTO positions (device_id, fix_time, message_id, sequence, latitude, longitude, altitude, speed, track, mode)
                SELECT * FROM unnest(@d, @t, @m, @s, @lat, @lon, @alt, @speed, @track, @mode)
                ON CONFLICT DO NOTHING
                """);
            var p = positions.Select(b => b.Envelope.Position).ToArray();
            cmd.Parameters.Add(Array("d", NpgsqlDbType.Text, positions.Select(b => b.Envelope.DeviceId).ToArray()));
            cmd.Parameters.Add(Array("t", NpgsqlDbType.TimestampTz, positions.Select(b => FixTime(b.Envelope, b.Captured)).ToArray()));
            cmd.Parameters.Add(Array("m", NpgsqlDbType.Text, positions.Select(b => b.Envelope.MessageId).ToArray()));
            cmd.Parameters.Add(Array("s", NpgsqlDbType.Bigint, positions.Select(b => (long)b.Envelope.Sequence).ToArray()));
            cmd.Parameters.Add(Array("lat", NpgsqlDbType.Double, p.Select(x => x.Latitude).ToArray()));
            cmd.Parameters.Add(Array("lon", NpgsqlDbType.Double, p.Select(x => x.Longitude).ToArray()));
            cmd.Parameters.Add(Array("alt", NpgsqlDbType.Double, p.Select(x => x.HasAltitudeM ? x.AltitudeM : (double?)null).ToArray()));
            cmd.Parameters.Add(Array("speed", NpgsqlDbType.Double, p.Select(x => x.HasSpeedMps ? x.SpeedMps : (double?)null).ToArray()));
            cmd.Parameters.Add(Array("track", NpgsqlDbType.Double, p.Select(x => x.HasTrackDeg ? x.TrackDeg : (double?)null).ToArray()));
            cmd.Parameters.Add(Array("mode", NpgsqlDbType.Integer, p.Select(x => (int)x.Mode).ToArray()));
            commands.BatchCommands.Add(cmd);
        }

        if (events.Count > 0)
        {
            var cmd = new NpgsqlBatchCommand(
                "INSERT INTO events (message_id, device_id, stream, captured_at, raw) SELECT * FROM unnest(@m, @d, @s, @c, @r) ON CONFLICT DO NOTHING");
            cmd.Parameters.Add(Array("m", NpgsqlDbType.Text, events.Select(b => b.Envelope.MessageId).ToArray()));
            cmd.Parameters.Add(Array("d", NpgsqlDbType.Text, events.Select(b => b.Envelope.DeviceId).ToArray()));
            cmd.Parameters.Add(Array("s", NpgsqlDbType.Text, events.Select(b => b.Envelope.Stream).ToArray()));
            cmd.Parameters.Add(Array("c", NpgsqlDbType.TimestampTz, events.Select(b => b.Captured).ToArray()));
            cmd.Parameters.Add(Array("r", NpgsqlDbType.Bytea, events.Select(b => b.Envelope.Event.ToByteArray()).ToArray()));
            commands.BatchCommands.Add(cmd);
        }

        if (health.Count > 0)
        {
            var cmd = new NpgsqlBatchCommand(
                "INSERT INTO health (device_id, captured_at, message_id, raw) SELECT * FROM unnest(@d, @c, @m, @r) ON CONFLICT DO NOTHING");
            cmd.Parameters.Add(Array("d", NpgsqlDbType.Text, health.Select(b => b.Envelope.DeviceId).ToArray()));
            cmd.Parameters.Add(Array("c", NpgsqlDbType.TimestampTz, health.Select(b => b.Captured).ToArray()));
            cmd.Parameters.Add(Array("m", NpgsqlDbType.Text, health.Select(b => b.Envelope.MessageId).ToArray()));
            cmd.Parameters.Add(Array("r", NpgsqlDbType.Bytea, health.Select(b => b.Envelope.Health.ToByteArray()).ToArray()));
            commands.BatchCommands.Add(cmd);
        }

        if (losses.Count > 0)
        {
            var cmd = new NpgsqlBatchCommand(
                "INSERT INTO data_loss (message_id, device_id, captured_at, raw) SELECT * FROM unnest(@m, @d, @c, @r) ON CONFLICT DO NOTHING");
            cmd.Parameters.Add(Array("m", NpgsqlDbType.Text, losses.Select(b => b.Envelope.MessageId).ToArray()));
            cmd.Parameters.Add(Array("d", NpgsqlDbType.Text, losses.Select(b => b.Envelope.DeviceId).ToArray()));
            cmd.Parameters.Add(Array("c", NpgsqlDbType.TimestampTz, losses.Select(b => b.Captured).ToArray()));
            cmd.Parameters.Add(Array("r", NpgsqlDbType.Bytea, losses.Select(b => b.Envelope.DataLoss.ToByteArray()).ToArray()));
            commands.BatchCommands.Add(cmd);
        }

        if (commands.BatchCommands.Count > 0)
        {
            await commands.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static async Task UpdateDevicesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<(Envelope Envelope, DateTime Captured)> fresh, DateTime received, CancellationToken cancellationToken)
    {
        // One row per device, in device id order: concurrent batches of several instances lock device
        // rows in the same order and cannot deadlock.
        var updates = new SortedDictionary<string, DeviceUpdate>(StringComparer.Ordinal);
        foreach (var (envelope, captured) in fresh)
        {
            if (!updates.TryGetValue(envelope.DeviceId, out var u))
            {
                u = new DeviceUpdate();
                updates[envelope.DeviceId] = u;
            }

            u.Envelopes++;
            switch (envelope.BodyCase)
            {
                case Envelope.BodyOneofCase.Position:
                    u.Positions++;
                    var time = FixTime(envelope, captured);
                    if (u.LastPositionTime is null || time >= u.LastPositionTime)
                    {
                        (u.LastPositionTime, u.LastPositionCaptured, u.LastPosition) = (time, captured, envelope.ToByteArray());
                    }

                    break;
                case Envelope.BodyOneofCase.Health when u.HealthAt is null || captured >= u.HealthAt:
                    (u.Health, u.HealthAt) = (envelope.Health.ToByteArray(), captured);
                    break;
                case Envelope.BodyOneofCase.DockStatus when u.DockAt is null || captured >= u.DockAt:
                    (u.Dock, u.DockAt) = (envelope.DockStatus.ToByteArray(), captured);
                    break;
            }
        }

        var list = updates.ToList();
        await using var cmd = new NpgsqlCommand(
            """
            INSERT INTO devices AS d (device_id, envelopes, positions, last_seen, last_position_time, last_position_captured, last_position, health, health_at, dock, dock_at)
            SELECT id, e, p, @seen, lpt, lpc, lp, h, ha, k, ka FROM unnest(@id, @e, @p, @lpt, @lpc, @lp, @h, @ha, @k, @ka) AS u(id, e, p, lpt, lpc, lp, h, ha, k, ka)
            ORDER BY id
            ON CONFLICT (device_id) DO UPDATE SET
                envelopes = d.envelopes + excluded.envelopes,
                positions = d.positions + excluded.positions,
                last_seen = greatest(d.last_seen, excluded.last_seen),
                last_position_time = CASE WHEN excluded.last_position_time >= d.last_position_time OR d.last_position_time IS NULL THEN coalesce(excluded.last_position_time, d.last_position_time) ELSE d.last_position_time END,
                last_position_captured = CASE WHEN excluded.last_position_time >= d.last_position_time OR d.last_position_time IS NULL THEN coalesce(excluded.last_position_captured, d.last_position_captured) ELSE d.last_position_captured END,
                last_position = CASE WHEN excluded.last_position_time >= d.last_position_time OR d.last_position_time IS NULL THEN coalesce(excluded.last_position, d.last_position) ELSE d.last_position END,
                health = CASE WHEN excluded.health_at >= d.health_at OR d.health_at IS NULL THEN coalesce(excluded.health, d.health) ELSE d.health END,
                health_at = CASE WHEN excluded.health_at >= d.health_at OR d.health_at IS NULL THEN coalesce(excluded.health_at, d.health_at) ELSE d.health_at END,
                dock = CASE WHEN excluded.dock_at >= d.dock_at OR d.dock_at IS NULL THEN coalesce(excluded.dock, d.dock) ELSE d.dock END,
                dock_at = CASE WHEN excluded.dock_at >= d.dock_at OR d.dock_at IS NULL THEN coalesce(excluded.dock_at, d.dock_at) ELSE d.dock_at END
            """,
            connection,
            transaction);
        cmd.Parameters.Add(new NpgsqlParameter("seen", NpgsqlDbType.TimestampTz) { Value = received });
        cmd.Parameters.Add(Array("id", NpgsqlDbType.Text, list.Select(x => x.Key).ToArray()));
        cmd.Parameters.Add(Array("e", NpgsqlDbType.Bigint, list.Select(x => x.Value.Envelopes).ToArray()));
        cmd.Parameters.Add(Array("p", NpgsqlDbType.Bigint, list.Select(x => x.Value.Positions).ToArray()));
        cmd.Parameters.Add(Array("lpt", NpgsqlDbType.TimestampTz, list.Select(x => x.Value.LastPositionTime).ToArray()));
        cmd.Parameters.Add(Array("lpc", NpgsqlDbType.TimestampTz, list.Select(x => x.Value.LastPositionCaptured).ToArray()));
        cmd.Parameters.Add(Array("lp", NpgsqlDbType.Bytea, list.Select(x => x.Value.LastPosition).ToArray()));
        cmd.Parameters.Add(Array("h", NpgsqlDbType.Bytea, list.Select(x => x.Value.Health).ToArray()));
        cmd.Parameters.Add(Array("ha", NpgsqlDbType.TimestampTz, list.Select(x => x.Value.HealthAt).ToArray()));
        cmd.Parameters.Add(Array("k", NpgsqlDbType.Bytea, list.Select(x => x.Value.Dock).ToArray()));
        cmd.Parameters.Add(Array("ka", NpgsqlDbType.TimestampTz, list.Select(x => x.Value.DockAt).ToArray()));
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task RegisterDeviceAsync(DeviceRegistration registration, CancellationToken cancellationToken)
    {
        await using var cmd = _dataSource.CreateCommand(
            """
            INSERT INTO devices AS d (device_id, role, software_version, hostname, capabilities, registered_at, last_seen)
            VALUES (@id, @role, @version, @host, @caps, @at, @at)
            ON CONFLICT (device_id) DO UPDATE SET
                role = excluded.role, software_version = excluded.software_version, hostname = excluded.hostname,
                capabilities = excluded.capabilities, registered_at = excluded.registered_at,
                last_seen = greatest(d.last_seen, excluded.last_seen)
            """);
        cmd.Parameters.AddWithValue("id", registration.DeviceId);
        cmd.Parameters.AddWithValue("role", registration.Role);
        cmd.Parameters.AddWithValue("version", registration.SoftwareVersion);
        cmd.Parameters.AddWithValue("host", registration.Hostname);
        cmd.Parameters.AddWithValue("caps", registration.Capabilities.ToArray());
        cmd.Parameters.Add(new NpgsqlParameter("at", NpgsqlDbType.TimestampTz) { Value = Utc(registration.RegisteredAt) });
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task UpdateStatusAsync(string deviceId, DeviceStatus status, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        // A retained status is redelivered after a restart: trust the device's time stamp, never move last seen back.
        await using var cmd = _dataSource.CreateCommand(
            """
            INSERT INTO devices AS d (device_id, online, role, software_version, last_seen)
            VALUES (@id, @online, @role, @version, @at)
            ON CONFLICT (device_id) DO UPDATE SET
                online = excluded.online,
                role = CASE WHEN excluded.role <> '' THEN excluded.role ELSE d.role END,
                software_version = CASE WHEN excluded.software_version <> '' THEN excluded.software_version ELSE d.software_version END,
                last_seen = greatest(d.last_seen, excluded.last_seen)
            """);
        cmd.Parameters.AddWithValue("id", deviceId);
        cmd.Parameters.AddWithValue("online", status.Online);
        cmd.Parameters.AddWithValue("role", status.Role ?? string.Empty);
        cmd.Parameters.AddWithValue("version", status.SoftwareVersion ?? string.Empty);
        cmd.Parameters.Add(new NpgsqlParameter("at", NpgsqlDbType.TimestampTz) { Value = Utc(status.At?.ToDateTimeOffset() ?? receivedAt) });
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<DeviceRecord>> GetDevicesAsync(CancellationToken cancellationToken)
    {
        await using var cmd = _dataSource.CreateCommand(DevicesQuery);
        return await ReadAllAsync(cmd, ReadDevice, cancellationToken);
    }

    public async Task<DevicePage> GetDevicePageAsync(DeviceQuery query, CancellationToken cancellationToken)
    {
        var filter = !string.IsNullOrEmpty(query.Filter);
        var online = query.Online is not null;
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT count(*) FROM devices"));
        batch.BatchCommands.Add(DevicePageCommand(DeviceMatchCountQuery(filter, online), query));
        var page = DevicePageCommand(DevicePageQuery(filter, online), query);
        page.Parameters.AddWithValue("n", Math.Max(0, query.Limit));
        page.Parameters.AddWithValue("k", Math.Max(0, query.Offset));
        batch.BatchCommands.Add(page);

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var total = reader.GetInt64(0);
        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var matched = reader.GetInt64(0);
        await reader.NextResultAsync(cancellationToken);
        var devices = new List<DeviceRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            devices.Add(ReadDevice(reader));
        }

        return new DevicePage(total, matched, devices);
    }

    /// <summary>A fleet-table command with the filter parameters its query uses.</summary>
    internal static NpgsqlBatchCommand DevicePageCommand(string sql, DeviceQuery query)
    {
        var cmd = new NpgsqlBatchCommand(sql);
        if (!string.IsNullOrEmpty(query.Filter))
        {
            cmd.Parameters.AddWithValue("f", ContainsPattern(query.Filter));
        }

        if (query.Online is { } online)
        {
            cmd.Parameters.AddWithValue("o", online);
        }

        return cmd;
    }

    /// <summary>An ILIKE pattern matching any text that contains <paramref name="text"/> literally.</summary>
    internal static string ContainsPattern(string text) =>
        "%" + text.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal) + "%";

    private static string DeviceWhere(bool filter, bool online) => (filter, online) switch
    {
        (true, true) => " WHERE (device_id ILIKE @f OR role ILIKE @f) AND online = @o",
        (true, false) => " WHERE (device_id ILIKE @f OR role ILIKE @f)",
        (false, true) => " WHERE online = @o",
        _ => string.Empty,
    };

    public async Task<DeviceRecord?> GetDeviceAsync(string deviceId, CancellationToken cancellationToken)
    {
        await using var cmd = _dataSource.CreateCommand(DeviceQuery);
        cmd.Parameters.AddWithValue("id", deviceId);
        var rows = await ReadAllAsync(cmd, ReadDevice, cancellationToken);
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task<IReadOnlyList<PositionRecord>> GetPositionsAsync(string deviceId, int limit, CancellationToken cancellationToken)
    {
        await using var cmd = _dataSource.CreateCommand(
PositionsQuery);
        cmd.Parameters.AddWithValue("d", deviceId);
        cmd.Parameters.AddWithValue("n", Math.Max(0, limit));
        return await ReadAllAsync(cmd, ReadPosition, cancellationToken);
    }

    public async Task<PositionPage> GetPositionsInWindowAsync(string deviceId, DateTimeOffset? from, DateTimeOffset? to, string? cursor, int limit, CancellationToken cancellationToken)
    {
        // The cursor is the last row's key "{device}|{fix time ticks, 19 digits}|{message id}" (the LiteDB store's format).
        DateTime afterTime = DateTime.MinValue;
        var afterId = string.Empty;
        var hasCursor = false;
        if (cursor is not null && cursor.StartsWith(deviceId + "|", StringComparison.Ordinal))
        {
            var rest = cursor.AsSpan(deviceId.Length + 1);
            var bar = rest.IndexOf('|');
            if (bar > 0 && long.TryParse(rest[..bar], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks))
            {
                afterTime = new DateTime(ticks, DateTimeKind.Utc);
                afterId = rest[(bar + 1)..].ToString();
                hasCursor = true;
            }
        }

        await using var cmd = _dataSource.CreateCommand(
hasCursor ? PositionsWindowAfterQuery : PositionsWindowQuery);
        cmd.Parameters.AddWithValue("d", deviceId);
        cmd.Parameters.Add(new NpgsqlParameter("from", NpgsqlDbType.TimestampTz) { Value = from is { } f ? Utc(f) : DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc) });
        cmd.Parameters.Add(new NpgsqlParameter("to", NpgsqlDbType.TimestampTz) { Value = to is { } t ? Utc(t) : DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc) });
        if (hasCursor)
        {
            cmd.Parameters.Add(new NpgsqlParameter("at", NpgsqlDbType.TimestampTz) { Value = afterTime });
            cmd.Parameters.AddWithValue("after", afterId);
        }

        cmd.Parameters.AddWithValue("n", Math.Max(0, limit) + 1);
        var rows = await ReadAllAsync(cmd, ReadPosition, cancellationToken);
        var page = rows.Take(limit).ToList();
        var next = rows.Count > limit && page.Count > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{deviceId}|{page[^1].Time.UtcTicks:D19}|{page[^1].MessageId}")
            : null;
        return new PositionPage(page, next);
    }

    public async Task<IReadOnlyList<DataLossRecord>> GetDataLossAsync(string deviceId, CancellationToken cancellationToken)
    {
        await using var cmd = _dataSource.CreateCommand(DataLossQuery);
        cmd.Parameters.AddWithValue("d", deviceId);
        return await ReadAllAsync(cmd, r => new DataLossRecord(r.GetString(0), Time(r, 1), DataLossReport.Parser.ParseFrom((byte[])r[2])), cancellationToken);
    }

    public async Task<IReadOnlyList<HealthSample>> GetHealthHistoryAsync(string deviceId, DateTimeOffset? from, DateTimeOffset? to, int limit, CancellationToken cancellationToken)
    {
        await using var cmd = _dataSource.CreateCommand(
HealthQuery);
        cmd.Parameters.AddWithValue("d", deviceId);
        cmd.Parameters.Add(new NpgsqlParameter("from", NpgsqlDbType.TimestampTz) { Value = from is { } f ? Utc(f) : DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc) });
        cmd.Parameters.Add(new NpgsqlParameter("to", NpgsqlDbType.TimestampTz) { Value = to is { } t ? Utc(t) : DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc) });
        cmd.Parameters.AddWithValue("n", Math.Max(0, limit));
        var rows = await ReadAllAsync(cmd, r => new HealthSample(Time(r, 0), HealthReport.Parser.ParseFrom((byte[])r[1])), cancellationToken);
        return rows.Reverse().ToList();
    }

    public async Task<IReadOnlyList<EventRecord>> GetEventsAsync(string deviceId, int limit, CancellationToken cancellationToken)
    {
        await using var cmd = _dataSource.CreateCommand(
EventsQuery);
        cmd.Parameters.AddWithValue("d", deviceId);
        cmd.Parameters.AddWithValue("n", Math.Max(0, limit));
        return await ReadAllAsync(
            cmd,
            r =>
            {
                var e = DeviceEvent.Parser.ParseFrom((byte[])r[3]);
                return new EventRecord(r.GetString(0), r.GetString(1), Time(r, 2), e.Type, e.Detail, new Dictionary<string, string>(e.Attributes));
            },
            cancellationToken);
    }

    public async Task<long> CountDevicesAsync(CancellationToken cancellationToken)
    {
        await using var cmd = _dataSource.CreateCommand("SELECT count(*) FROM devices");
        return (long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<long> CountEnvelopesAsync(CancellationToken cancellationToken)
    {
        // The per-device counters move in every batch transaction: a sum over devices, never a count of envelopes.
        await using var cmd = _dataSource.CreateCommand("SELECT coalesce(sum(envelopes), 0)::bigint FROM devices");
        return (long)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// Drops every daily partition of envelopes and positions that ends at or before <paramref name="cutoff"/>
    /// (whole days only), and the dedupe keys received in those days; returns the partitions dropped.
    /// </summary>
    public async Task<IReadOnlyList<string>> DropPartitionsBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var lastDay = DateOnly.FromDateTime(cutoff.UtcDateTime).AddDays(-1); // a partition of day D ends at D+1 00:00
        var victims = new List<string>();
        await using (var list = _dataSource.CreateCommand(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent " +
            "WHERE p.relname = ANY(@parents) AND c.relname ~ '_p[0-9]{8}$'"))
        {
            list.Parameters.AddWithValue("parents", PartitionedTables);
            await using var reader = await list.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var name = reader.GetString(0);
                if (DateOnly.TryParseExact(name[^8..], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) && day <= lastDay)
                {
                    victims.Add(name);
                }
            }
        }

        victims.Sort(StringComparer.Ordinal);
        foreach (var name in victims)
        {
            await using var drop = _dataSource.CreateCommand($"DROP TABLE IF EXISTS \"{name}\"");
            await drop.ExecuteNonQueryAsync(cancellationToken);
        }

        // Dedupe keys of the same days go too (a key outlives no envelope it could shadow).
        await using (var keys = _dataSource.CreateCommand("DELETE FROM envelope_dedupe WHERE received_at < @end"))
        {
            keys.Parameters.Add(new NpgsqlParameter("end", NpgsqlDbType.TimestampTz) { Value = lastDay.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) });
            await keys.ExecuteNonQueryAsync(cancellationToken);
        }

        _partitions.Clear();
        return victims;
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

    private static DateTime FixTime(Envelope envelope, DateTime captured) =>
        envelope.Position.FixTime is { } t ? Utc(t.ToDateTimeOffset()) : captured;

    /// <summary>PostgreSQL keeps microseconds: the time rounded down to them, so what is stored is what is read back.</summary>
    private static DateTime Utc(DateTimeOffset at)
    {
        var ticks = at.UtcTicks;
        return new DateTime(ticks - (ticks % 10), DateTimeKind.Utc);
    }

    private static DateTimeOffset Time(NpgsqlDataReader reader, int ordinal) =>
        new(DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc));

    private static DateTimeOffset? TimeOrNull(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : Time(reader, ordinal);

    private static NpgsqlParameter Array<T>(string name, NpgsqlDbType type, T[] values) =>
        new(name, NpgsqlDbType.Array | type) { Value = values };

    private static async Task<IReadOnlyList<T>> ReadAllAsync<T>(NpgsqlCommand cmd, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        var rows = new List<T>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private static PositionRecord ReadPosition(NpgsqlDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        (ulong)r.GetInt64(2),
        Time(r, 3),
        r.GetDouble(4),
        r.GetDouble(5),
        r.IsDBNull(6) ? null : r.GetDouble(6),
        r.IsDBNull(7) ? null : r.GetDouble(7),
        r.IsDBNull(8) ? null : r.GetDouble(8),
        (FixMode)r.GetInt32(9));

    private static DeviceRecord ReadDevice(NpgsqlDataReader r)
    {
        PositionRecord? last = null;
        if (!r.IsDBNull(11))
        {
            var envelope = Envelope.Parser.ParseFrom((byte[])r[11]);
            var captured = Time(r, 10);
            var p = envelope.Position;
            last = new PositionRecord(
                envelope.MessageId,
                envelope.DeviceId,
                envelope.Sequence,
                new DateTimeOffset(FixTime(envelope, captured.UtcDateTime)),
                p.Latitude,
                p.Longitude,
                p.HasAltitudeM ? p.AltitudeM : null,
                p.HasSpeedMps ? p.SpeedMps : null,
                p.HasTrackDeg ? p.TrackDeg : null,
                p.Mode);
        }

        return new DeviceRecord
        {
            DeviceId = r.GetString(0),
            Role = r.GetString(1),
            SoftwareVersion = r.GetString(2),
            Hostname = r.GetString(3),
            Capabilities = r.GetFieldValue<string[]>(4),
            RegisteredAt = TimeOrNull(r, 5),
            Online = r.GetBoolean(6),
            LastSeen = TimeOrNull(r, 7),
            EnvelopeCount = r.GetInt64(8),
            PositionCount = r.GetInt64(9),
            LastPosition = last,
            Health = r.IsDBNull(12) ? null : HealthReport.Parser.ParseFrom((byte[])r[12]),
            HealthAt = TimeOrNull(r, 13),
            Dock = r.IsDBNull(14) ? null : DockStatus.Parser.ParseFrom((byte[])r[14]),
            DockAt = TimeOrNull(r, 15),
        };
    }

    /// <summary>What one batch changes on one device row.</summary>
    private sealed class DeviceUpdate
    {
        public long Envelopes { get; set; }
        public long Positions { get; set; }
        public DateTime? LastPositionTime { get; set; }
        public DateTime? LastPositionCaptured { get; set; }
        public byte[]? LastPosition { get; set; }
        public byte[]? Health { get; set; }
        public DateTime? HealthAt { get; set; }
        public byte[]? Dock { get; set; }
        public DateTime? DockAt { get; set; }
    }
}
