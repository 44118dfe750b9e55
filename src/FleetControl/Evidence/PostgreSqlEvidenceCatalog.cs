using System.Globalization;
using System.Text;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace FleetControl.Evidence;

/// <summary>
/// The evidence catalogue in the shared PostgreSQL database, for several FleetControl instances over
/// one vault (a shared directory here; object storage in a national deployment, see docs/scaling.md).
/// The receipt file is still written into the vault first (so <c>evidence verify</c> needs no
/// database), then the row: the item counts as committed once the row is. Every search is one
/// keyset query on a (field, recorded_at DESC, evidence_id) index.
/// </summary>
internal sealed class PostgreSqlEvidenceCatalog(VaultStorage storage, NpgsqlDataSource dataSource) : IEvidenceCatalog
{
    public EvidenceRecord? Find(string evidenceId)
    {
        using var cmd = dataSource.CreateCommand("SELECT record FROM evidence WHERE evidence_id = @id");
        cmd.Parameters.AddWithValue("id", evidenceId);
        return cmd.ExecuteScalar() is byte[] bytes ? FileEvidenceCatalog.Parse(Encoding.UTF8.GetString(bytes), evidenceId) : null;
    }

    public EvidencePage Search(EvidenceQuery query)
    {
        using var cmd = dataSource.CreateCommand();
        var limit = PrepareSearch(cmd, query);
        var items = new List<EvidenceSummary>(limit + 1);
        using (var reader = cmd.ExecuteReader())
        {
            while (reader.Read())
            {
                items.Add(JsonSerializer.Deserialize<EvidenceSummary>(reader.GetString(0))!);
            }
        }

        if (items.Count <= limit)
        {
            return new EvidencePage(items, null);
        }

        items.RemoveAt(items.Count - 1);
        var last = items[^1];
        return new EvidencePage(items, string.Create(CultureInfo.InvariantCulture, $"{Micros(last.RecordedAt).Ticks}_{last.EvidenceId}"));
    }

    /// <summary>Puts the search's SQL and parameters into <paramref name="cmd"/> (one row more than the page); returns the page size.</summary>
    internal static int PrepareSearch(NpgsqlCommand cmd, EvidenceQuery query)
    {
        var limit = Math.Clamp(query.Limit, 1, EvidenceQuery.MaxLimit);
        var sql = new StringBuilder("SELECT summary FROM evidence WHERE true");
        void Filter(string column, string? wanted)
        {
            if (!string.IsNullOrEmpty(wanted))
            {
                sql.Append(CultureInfo.InvariantCulture, $" AND lower({column}) = lower(@{column})");
                cmd.Parameters.AddWithValue(column, wanted);
            }
        }

        Filter("device_id", query.DeviceId);
        Filter("camera_serial", query.CameraSerial);
        Filter("officer_id", query.OfficerId);
        Filter("category", query.Category);
        Filter("trigger", query.Trigger);
        if (query.From is { } from)
        {
            sql.Append(" AND recorded_at >= @from");
            cmd.Parameters.Add(new NpgsqlParameter("from", NpgsqlDbType.TimestampTz) { Value = from.UtcDateTime });
        }

        if (query.To is { } to)
        {
            sql.Append(" AND recorded_at < @to");
            cmd.Parameters.Add(new NpgsqlParameter("to", NpgsqlDbType.TimestampTz) { Value = to.UtcDateTime });
        }

        if (ParseCursor(query.Cursor) is { } cursor)
        {
            sql.Append(" AND (recorded_at < @ct OR (recorded_at = @ct AND evidence_id > @cid))");
            cmd.Parameters.Add(new NpgsqlParameter("ct", NpgsqlDbType.TimestampTz) { Value = cursor.At });
            cmd.Parameters.AddWithValue("cid", cursor.Id);
        }

        sql.Append(" ORDER BY recorded_at DESC, evidence_id LIMIT @n");
        cmd.Parameters.AddWithValue("n", limit + 1);
        cmd.CommandText = sql.ToString();
        return limit;
    }

    public void Save(EvidenceRecord record)
    {
        FileEvidenceCatalog.WriteReceipt(storage, record);
        var summary = EvidenceIndex.Summarise(record);
        summary = summary with { RecordedAt = new DateTimeOffset(Micros(summary.RecordedAt)) };
        using var cmd = dataSource.CreateCommand(
            """
            INSERT INTO evidence (evidence_id, device_id, camera_serial, officer_id, category, trigger, recorded_at, summary, record)
            VALUES (@id, @device, @camera, @officer, @category, @trigger, @recorded, @summary, @record)
            ON CONFLICT (evidence_id) DO UPDATE SET
                device_id = excluded.device_id, camera_serial = excluded.camera_serial, officer_id = excluded.officer_id,
                category = excluded.category, trigger = excluded.trigger, recorded_at = excluded.recorded_at,
                summary = excluded.summary, record = excluded.record
            """);
        cmd.Parameters.AddWithValue("id", summary.EvidenceId);
        cmd.Parameters.AddWithValue("device", summary.DeviceId);
        cmd.Parameters.AddWithValue("camera", summary.CameraSerial);
        cmd.Parameters.AddWithValue("officer", (object?)summary.OfficerId ?? DBNull.Value);
        cmd.Parameters.AddWithValue("category", (object?)summary.Category ?? DBNull.Value);
        cmd.Parameters.AddWithValue("trigger", (object?)summary.Trigger ?? DBNull.Value);
        cmd.Parameters.Add(new NpgsqlParameter("recorded", NpgsqlDbType.TimestampTz) { Value = summary.RecordedAt.UtcDateTime });
        cmd.Parameters.Add(new NpgsqlParameter("summary", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(summary) });
        cmd.Parameters.AddWithValue("record", FileEvidenceCatalog.Format(record));
        cmd.ExecuteNonQuery();
    }

    /// <summary>PostgreSQL keeps microseconds.</summary>
    private static DateTime Micros(DateTimeOffset at) => new(at.UtcTicks - (at.UtcTicks % 10), DateTimeKind.Utc);

    private static (DateTime At, string Id)? ParseCursor(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }

        var split = cursor.IndexOf('_', StringComparison.Ordinal);
        return split > 0 && long.TryParse(cursor.AsSpan(0, split), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                && ticks >= 0 && ticks <= DateTime.MaxValue.Ticks
            ? (new DateTime(ticks, DateTimeKind.Utc), cursor[(split + 1)..])
            : throw new ArgumentException($"'{cursor}' is not a cursor from this API", nameof(cursor));
    }
}
