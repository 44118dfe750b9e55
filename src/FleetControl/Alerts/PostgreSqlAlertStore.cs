using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace FleetControl.Alerts;

/// <summary>
/// The <see cref="AlertStore"/> in the shared PostgreSQL database (table <c>alerts</c>, migration 4): the
/// record as JSON beside the columns queries filter and sort on, each query with an index behind it. An
/// update runs in one transaction holding the alert's row lock (a transaction-level advisory lock on its id
/// while the row does not exist yet), so instances raising or acknowledging the same alert at once serialise.
/// Each change is announced with <c>pg_notify</c> in the same transaction, for the other instances' live feeds
/// (<see cref="PostgreSqlAlertFeed"/>).
/// </summary>
internal sealed class PostgreSqlAlertStore(NpgsqlDataSource dataSource) : AlertStore
{
    /// <summary>The channel every change is announced on (payload <c>{instance}|{alertId}</c>), delivered at commit.</summary>
    public const string Channel = "fc_alerts";

    /// <summary>This store's (this instance's) id in the announcements, so an instance skips its own.</summary>
    public string InstanceId { get; } = Guid.NewGuid().ToString("N");

    /// <inheritdoc/>
    public override AlertRecord? Get(string alertId)
    {
        using var command = dataSource.CreateCommand("SELECT record::text FROM alerts WHERE alert_id = @id");
        command.Parameters.AddWithValue("id", alertId);
        return command.ExecuteScalar() is string json ? Parse(json) : null;
    }

    /// <inheritdoc/>
    public override AlertRecord? Update(string alertId, Func<AlertRecord?, AlertRecord?> change)
    {
        using var connection = dataSource.OpenConnection();
        using var transaction = connection.BeginTransaction();
        using (var lockRow = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext('alert:' || @id))", connection, transaction))
        {
            lockRow.Parameters.AddWithValue("id", alertId);
            lockRow.ExecuteNonQuery();
        }

        AlertRecord? current;
        using (var select = new NpgsqlCommand("SELECT record::text FROM alerts WHERE alert_id = @id FOR UPDATE", connection, transaction))
        {
            select.Parameters.AddWithValue("id", alertId);
            current = select.ExecuteScalar() is string json ? Parse(json) : null;
        }

        var updated = change(current);
        if (updated is null)
        {
            return null;
        }

        using (var upsert = new NpgsqlCommand("""
            INSERT INTO alerts (alert_id, rule, device_id, state, raised_at, record) VALUES (@id, @rule, @device, @state, @at, @record)
            ON CONFLICT (alert_id) DO UPDATE SET rule = excluded.rule, device_id = excluded.device_id, state = excluded.state,
                raised_at = excluded.raised_at, record = excluded.record
            """, connection, transaction))
        {
            upsert.Parameters.AddWithValue("id", updated.AlertId);
            upsert.Parameters.AddWithValue("rule", updated.Rule);
            upsert.Parameters.AddWithValue("device", updated.DeviceId);
            upsert.Parameters.AddWithValue("state", updated.State);
            upsert.Parameters.AddWithValue("at", updated.RaisedAt.UtcDateTime);
            upsert.Parameters.Add(new NpgsqlParameter("record", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(updated) });
            upsert.ExecuteNonQuery();
        }

        using (var notify = new NpgsqlCommand("SELECT pg_notify(@channel, @payload)", connection, transaction))
        {
            notify.Parameters.AddWithValue("channel", Channel);
            notify.Parameters.AddWithValue("payload", InstanceId + "|" + updated.AlertId);
            notify.ExecuteNonQuery();
        }

        transaction.Commit();
        return updated;
    }

    /// <inheritdoc/>
    public override IReadOnlyList<AlertRecord> List(string? state, string? deviceId, int limit)
    {
        var where = (state, deviceId) switch
        {
            (null, null) => string.Empty,
            (not null, null) => "WHERE state = @state",
            (null, not null) => "WHERE device_id = @device",
            _ => "WHERE state = @state AND device_id = @device",
        };
        using var command = dataSource.CreateCommand($"SELECT record::text FROM alerts {where} ORDER BY raised_at DESC LIMIT @limit");
        if (state is not null)
        {
            command.Parameters.AddWithValue("state", state);
        }

        if (deviceId is not null)
        {
            command.Parameters.AddWithValue("device", deviceId);
        }

        command.Parameters.AddWithValue("limit", limit);
        using var reader = command.ExecuteReader();
        var alerts = new List<AlertRecord>();
        while (reader.Read())
        {
            alerts.Add(Parse(reader.GetString(0)));
        }

        return alerts;
    }

    /// <inheritdoc/>
    public override IReadOnlyList<string> ActiveIds(string rule)
    {
        using var command = dataSource.CreateCommand("SELECT alert_id FROM alerts WHERE state = 'active' AND rule = @rule");
        command.Parameters.AddWithValue("rule", rule);
        using var reader = command.ExecuteReader();
        var ids = new List<string>();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    private static AlertRecord Parse(string json) =>
        JsonSerializer.Deserialize<AlertRecord>(json) ?? throw new InvalidDataException("an alert record is unreadable");
}
