using EdgeGateway.Contracts.V1;
using Google.Protobuf;
using Npgsql;
using NpgsqlTypes;

namespace FleetControl.Anpr.PostgreSql;

/// <summary>
/// Hotlist entries, deltas and vehicles' hotlist state in the shared PostgreSQL database. A change takes its version
/// from the <c>hotlist_version_seq</c> sequence while holding a lock on <c>hotlist_deltas</c>, so versions commit in
/// the order they are taken and every instance sees (and hands vehicles) the same versions and deltas. A version
/// lost to a rolled-back change leaves a gap in the numbers, never in the chain: each delta names the version it
/// follows, and <see cref="DeltaSince"/> walks that chain (a break means a snapshot).
/// </summary>
internal sealed class PostgreSqlHotlistStore(NpgsqlDataSource dataSource) : IHotlistStore
{
    private const string DeviceColumns = "device_id, version, reported_at, pending, pending_version";

    public long HotlistVersion
    {
        get
        {
            using var cmd = dataSource.CreateCommand("SELECT coalesce(max(version), 0) FROM hotlist_deltas");
            return (long)cmd.ExecuteScalar()!;
        }
    }

    public HotlistUpdate ChangeHotlist(IReadOnlyList<HotlistEntry> upserts, IReadOnlyList<string> removals)
    {
        using var connection = dataSource.OpenConnection();
        using var transaction = connection.BeginTransaction();

        // Self-conflicting, so changes queue here; readers of the deltas are not blocked.
        using (var lockCommand = new NpgsqlCommand("LOCK TABLE hotlist_deltas IN SHARE ROW EXCLUSIVE MODE", connection, transaction))
        {
            lockCommand.ExecuteNonQuery();
        }

        long previous;
        using (var max = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM hotlist_deltas", connection, transaction))
        {
            previous = (long)max.ExecuteScalar()!;
        }

        long version;
        using (var next = new NpgsqlCommand("SELECT nextval('hotlist_version_seq')", connection, transaction))
        {
            version = (long)next.ExecuteScalar()!;
        }

        var delta = new HotlistUpdate { Version = version, BaseVersion = previous, Part = 1, Parts = 1 };
        if (removals.Count > 0)
        {
            using var remove = new NpgsqlCommand("DELETE FROM hotlist_entries WHERE vrm = ANY(@v) RETURNING vrm", connection, transaction);
            remove.Parameters.Add(new NpgsqlParameter("v", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = removals.Distinct(StringComparer.Ordinal).ToArray() });
            var removed = new HashSet<string>(StringComparer.Ordinal);
            using (var reader = remove.ExecuteReader())
            {
                while (reader.Read())
                {
                    removed.Add(reader.GetString(0));
                }
            }

            delta.Removals.AddRange(removals.Where(removed.Remove));
        }

        foreach (var entry in upserts)
        {
            using var upsert = new NpgsqlCommand(
                "INSERT INTO hotlist_entries (vrm, raw) VALUES (@v, @r) ON CONFLICT (vrm) DO UPDATE SET raw = excluded.raw", connection, transaction);
            upsert.Parameters.AddWithValue("v", entry.Vrm);
            upsert.Parameters.AddWithValue("r", entry.ToByteArray());
            upsert.ExecuteNonQuery();
            delta.Upserts.Add(entry);
        }

        using (var insert = new NpgsqlCommand("INSERT INTO hotlist_deltas (version, base_version, raw) VALUES (@v, @b, @r)", connection, transaction))
        {
            insert.Parameters.AddWithValue("v", version);
            insert.Parameters.AddWithValue("b", previous);
            insert.Parameters.AddWithValue("r", delta.ToByteArray());
            insert.ExecuteNonQuery();
        }

        transaction.Commit();
        return delta;
    }

    public List<HotlistEntry> HotlistEntries(string? vrm = null)
    {
        using var cmd = dataSource.CreateCommand(vrm is null
            ? "SELECT raw FROM hotlist_entries ORDER BY vrm"
            : "SELECT raw FROM hotlist_entries WHERE vrm = @v");
        if (vrm is not null)
        {
            cmd.Parameters.AddWithValue("v", vrm);
        }

        var entries = new List<HotlistEntry>();
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            entries.Add(HotlistEntry.Parser.ParseFrom((byte[])reader[0]));
        }

        return entries;
    }

    public HotlistUpdate? DeltaSince(long held)
    {
        if (held <= 0)
        {
            return null;
        }

        using var cmd = dataSource.CreateCommand("SELECT version, base_version, raw FROM hotlist_deltas WHERE version > @h ORDER BY version");
        cmd.Parameters.AddWithValue("h", held);
        var upserts = new Dictionary<string, HotlistEntry>(StringComparer.Ordinal);
        var removals = new HashSet<string>(StringComparer.Ordinal);
        var current = held;
        using (var reader = cmd.ExecuteReader())
        {
            while (reader.Read())
            {
                if (reader.GetInt64(1) != current)
                {
                    return null; // the vehicle holds a version that is not in the chain
                }

                current = reader.GetInt64(0);
                var delta = HotlistUpdate.Parser.ParseFrom((byte[])reader[2]);
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
        }

        if (current == held)
        {
            return null; // already current (or ahead of what is kept)
        }

        var combined = new HotlistUpdate { Version = current, BaseVersion = held, Part = 1, Parts = 1 };
        combined.Upserts.AddRange(upserts.Values);
        combined.Removals.AddRange(removals);
        return combined;
    }

    public HotlistDeviceRecord? Device(string deviceId)
    {
        using var cmd = dataSource.CreateCommand($"SELECT {DeviceColumns} FROM hotlist_devices WHERE device_id = @d");
        cmd.Parameters.AddWithValue("d", deviceId);
        using var reader = cmd.ExecuteReader();
        return reader.Read() ? ReadDevice(reader) : null;
    }

    public List<HotlistDeviceRecord> DevicesHoldingHotlists()
    {
        using var cmd = dataSource.CreateCommand($"SELECT {DeviceColumns} FROM hotlist_devices ORDER BY device_id");
        var devices = new List<HotlistDeviceRecord>();
        using var reader = cmd.ExecuteReader();
        while (reader.Read())
        {
            devices.Add(ReadDevice(reader));
        }

        return devices;
    }

    public void SaveDevice(HotlistDeviceRecord device)
    {
        using var cmd = dataSource.CreateCommand(
            $"INSERT INTO hotlist_devices ({DeviceColumns}) VALUES (@d, @v, @at, @p, @pv) " +
            "ON CONFLICT (device_id) DO UPDATE SET version = excluded.version, reported_at = excluded.reported_at, pending = excluded.pending, pending_version = excluded.pending_version");
        cmd.Parameters.AddWithValue("d", device.DeviceId);
        cmd.Parameters.AddWithValue("v", device.Version);
        cmd.Parameters.Add(new NpgsqlParameter("at", NpgsqlDbType.TimestampTz) { Value = device.ReportedAt.UtcDateTime });
        cmd.Parameters.Add(new NpgsqlParameter("p", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = device.PendingCommands.ToArray() });
        cmd.Parameters.AddWithValue("pv", device.PendingVersion);
        cmd.ExecuteNonQuery();
    }

    private static HotlistDeviceRecord ReadDevice(NpgsqlDataReader r) => new(
        r.GetString(0),
        r.GetInt64(1),
        new DateTimeOffset(DateTime.SpecifyKind(r.GetDateTime(2), DateTimeKind.Utc)),
        r.GetFieldValue<string[]>(3),
        r.GetInt64(4));
}
