using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using NpgsqlTypes;

namespace FleetControl.Commands;

/// <summary>
/// The <see cref="CommandStore"/> in the shared PostgreSQL database (tables <c>commands</c>,
/// <c>device_configurations</c> and <c>rollouts</c>, migration 4). Every instance reads and writes the same
/// rows, so a command queued through one instance is re-sent, answered and expired by whichever instance
/// meets its device. A transition locks the command's row (<c>SELECT ... FOR UPDATE</c>), so two instances
/// applying the same answer at once change it once and a final state never changes.
/// </summary>
internal sealed class PostgreSqlCommandStore(NpgsqlDataSource dataSource) : CommandStore
{
    private const string Columns = "command_id, device_id, kind, payload, created_at, expires_at, state, reason, details, history";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    /// <inheritdoc/>
    public override bool Add(CommandRecord record)
    {
        using var command = dataSource.CreateCommand(
            $"INSERT INTO commands ({Columns}) VALUES (@id, @device, @kind, @payload, @created, @expires, @state, @reason, @details, @history) ON CONFLICT (command_id) DO NOTHING");
        Bind(command, record);
        return command.ExecuteNonQuery() == 1;
    }

    /// <inheritdoc/>
    public override CommandRecord? Get(string commandId)
    {
        using var command = dataSource.CreateCommand($"SELECT {Columns} FROM commands WHERE command_id = @id");
        command.Parameters.AddWithValue("id", commandId);
        return Read(command).FirstOrDefault();
    }

    /// <inheritdoc/>
    public override IReadOnlyList<CommandRecord> ListForDevice(string deviceId, int limit)
    {
        // Ids are UUIDv7 (time-ordered), so ordering by id is ordering by creation.
        using var command = dataSource.CreateCommand($"SELECT {Columns} FROM commands WHERE device_id = @device ORDER BY command_id DESC LIMIT @limit");
        command.Parameters.AddWithValue("device", deviceId);
        command.Parameters.AddWithValue("limit", limit);
        return Read(command);
    }

    /// <inheritdoc/>
    public override IReadOnlyList<CommandRecord> Undelivered(string deviceId)
    {
        using var command = dataSource.CreateCommand(
            $"SELECT {Columns} FROM commands WHERE device_id = @device AND state IN ('Queued', 'Sent', 'Accepted') ORDER BY command_id");
        command.Parameters.AddWithValue("device", deviceId);
        return Read(command);
    }

    /// <inheritdoc/>
    public override IReadOnlyList<CommandRecord> DueForExpiry(DateTimeOffset now)
    {
        using var command = dataSource.CreateCommand($"SELECT {Columns} FROM commands WHERE state IN ('Queued', 'Sent') AND expires_at <= @now");
        command.Parameters.AddWithValue("now", now.UtcDateTime);
        return Read(command);
    }

    /// <inheritdoc/>
    public override DateTimeOffset? NextExpiry()
    {
        using var command = dataSource.CreateCommand("SELECT expires_at FROM commands WHERE state IN ('Queued', 'Sent') ORDER BY expires_at LIMIT 1");
        return command.ExecuteScalar() is DateTime at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null;
    }

    /// <inheritdoc/>
    public override CommandRecord? Transition(string commandId, CommandState state, string reason, DateTimeOffset at, IReadOnlyDictionary<string, string>? details = null)
    {
        using var connection = dataSource.OpenConnection();
        using var transaction = connection.BeginTransaction();
        CommandRecord? current;
        using (var select = new NpgsqlCommand($"SELECT {Columns} FROM commands WHERE command_id = @id FOR UPDATE", connection, transaction))
        {
            select.Parameters.AddWithValue("id", commandId);
            current = Read(select).FirstOrDefault();
        }

        if (current is null || Next(current, state, reason, at, details) is not { } updated)
        {
            return null;
        }

        using (var update = new NpgsqlCommand(
            """
            UPDATE commands SET device_id = @device, kind = @kind, payload = @payload, created_at = @created, expires_at = @expires,
                state = @state, reason = @reason, details = @details, history = @history
            WHERE command_id = @id
            """, connection, transaction))
        {
            Bind(update, updated);
            update.ExecuteNonQuery();
        }

        transaction.Commit();
        return updated;
    }

    /// <inheritdoc/>
    public override DeviceConfiguration GetConfiguration(string deviceId)
    {
        using var command = dataSource.CreateCommand("SELECT desired, json, reported, status, command_id FROM device_configurations WHERE device_id = @device");
        command.Parameters.AddWithValue("device", deviceId);
        using var reader = command.ExecuteReader();
        return reader.Read()
            ? new DeviceConfiguration(deviceId, reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4))
            : new DeviceConfiguration(deviceId, 0, string.Empty, 0, string.Empty, string.Empty);
    }

    /// <inheritdoc/>
    public override void PutConfiguration(DeviceConfiguration configuration)
    {
        using var command = dataSource.CreateCommand("""
            INSERT INTO device_configurations (device_id, desired, json, reported, status, command_id)
            VALUES (@device, @desired, @json, @reported, @status, @command)
            ON CONFLICT (device_id) DO UPDATE SET desired = excluded.desired, json = excluded.json, reported = excluded.reported,
                status = excluded.status, command_id = excluded.command_id
            """);
        command.Parameters.AddWithValue("device", configuration.DeviceId);
        command.Parameters.AddWithValue("desired", configuration.DesiredVersion);
        command.Parameters.AddWithValue("json", configuration.DesiredJson);
        command.Parameters.AddWithValue("reported", configuration.ReportedVersion);
        command.Parameters.AddWithValue("status", configuration.Status);
        command.Parameters.AddWithValue("command", configuration.CommandId);
        command.ExecuteNonQuery();
    }

    /// <inheritdoc/>
    public override void PutRollout(Rollout rollout)
    {
        var record = new JsonObject
        {
            ["group"] = rollout.Group,
            ["json"] = rollout.Json,
            ["first"] = rollout.FirstStageSize,
            ["started"] = rollout.StartedAt,
            ["ttl"] = rollout.TimeToLive?.Ticks,
            ["state"] = rollout.State,
            ["reason"] = rollout.Reason,
            ["stage"] = rollout.Stage,
            ["kind"] = rollout.Kind,
            ["waves"] = new JsonArray([.. rollout.Waves.Select(w => (JsonNode?)w)]),
            ["version"] = rollout.Version,
            ["waveTimeout"] = rollout.WaveTimeout?.Ticks,
            ["devices"] = new JsonArray([.. rollout.Devices.Select(device => (JsonNode?)new JsonObject
            {
                ["id"] = device,
                ["state"] = rollout.DeviceStates.GetValueOrDefault(device) ?? string.Empty,
                ["command"] = rollout.DeviceCommands.GetValueOrDefault(device) ?? string.Empty,
            })]),
        };
        using var command = dataSource.CreateCommand(
            "INSERT INTO rollouts (rollout_id, record) VALUES (@id, @record) ON CONFLICT (rollout_id) DO UPDATE SET record = excluded.record");
        command.Parameters.AddWithValue("id", rollout.RolloutId);
        command.Parameters.Add(new NpgsqlParameter("record", NpgsqlDbType.Jsonb) { Value = record.ToJsonString() });
        command.ExecuteNonQuery();
    }

    /// <inheritdoc/>
    public override IReadOnlyList<Rollout> ListRollouts()
    {
        using var command = dataSource.CreateCommand("SELECT rollout_id, record::text FROM rollouts ORDER BY rollout_id DESC");
        using var reader = command.ExecuteReader();
        var rollouts = new List<Rollout>();
        while (reader.Read())
        {
            rollouts.Add(RolloutFrom(reader.GetString(0), JsonNode.Parse(reader.GetString(1))!.AsObject()));
        }

        return rollouts;
    }

    /// <summary>
    /// A session-level advisory lock on the rollout, held on its own connection for as long as the rollout runs:
    /// released when the lease is disposed or when the holder dies (its connection closes), so a rollout is never
    /// driven by two instances and an instance that starts after the holder died takes it over.
    /// </summary>
    public override IDisposable? TryLeaseRollout(string rolloutId)
    {
        var connection = dataSource.OpenConnection();
        try
        {
            using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(hashtext('rollout:' || @id))", connection);
            command.Parameters.AddWithValue("id", rolloutId);
            if (command.ExecuteScalar() is true)
            {
                return new RolloutLease(connection, rolloutId);
            }
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        connection.Dispose();
        return null;
    }

    private static Rollout RolloutFrom(string id, JsonObject d)
    {
        var devices = d["devices"]!.AsArray();
        var rollout = new Rollout
        {
            RolloutId = id,
            Group = (string)d["group"]!,
            Devices = devices.Select(v => (string)v!["id"]!).ToList(),
            Json = (string)d["json"]!,
            FirstStageSize = (int)d["first"]!,
            StartedAt = d["started"]!.GetValue<DateTimeOffset>(),
            TimeToLive = d["ttl"] is { } ttl ? TimeSpan.FromTicks((long)ttl) : null,
            Stage = (int)d["stage"]!,
            Kind = (string)d["kind"]!,
            Waves = d["waves"]!.AsArray().Select(w => (int)w!).ToList(),
            Version = (string)d["version"]!,
            WaveTimeout = d["waveTimeout"] is { } waveTimeout ? TimeSpan.FromTicks((long)waveTimeout) : null,
        };
        foreach (var value in devices)
        {
            var device = (string)value!["id"]!;
            if ((string)value["state"]! is { Length: > 0 } state)
            {
                rollout.DeviceStates[device] = state;
            }

            if ((string)value["command"]! is { Length: > 0 } command)
            {
                rollout.DeviceCommands[device] = command;
            }
        }

        rollout.Reason = (string)d["reason"]!;
        rollout.State = (string)d["state"]!;
        return rollout;
    }

    private static void Bind(NpgsqlCommand command, CommandRecord r)
    {
        command.Parameters.AddWithValue("id", r.CommandId);
        command.Parameters.AddWithValue("device", r.DeviceId);
        command.Parameters.AddWithValue("kind", r.Kind);
        command.Parameters.AddWithValue("payload", r.Payload);
        command.Parameters.AddWithValue("created", r.CreatedAt.UtcDateTime);
        command.Parameters.AddWithValue("expires", r.ExpiresAt.UtcDateTime);
        command.Parameters.AddWithValue("state", r.State.ToString());
        command.Parameters.AddWithValue("reason", r.Reason);
        command.Parameters.Add(new NpgsqlParameter("details", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(r.Details, Json) });
        command.Parameters.Add(new NpgsqlParameter("history", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(r.History, Json) });
    }

    private static List<CommandRecord> Read(NpgsqlCommand command)
    {
        using var reader = command.ExecuteReader();
        var records = new List<CommandRecord>();
        while (reader.Read())
        {
            records.Add(new CommandRecord
            {
                CommandId = reader.GetString(0),
                DeviceId = reader.GetString(1),
                Kind = reader.GetString(2),
                Payload = reader.GetFieldValue<byte[]>(3),
                CreatedAt = new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(4), DateTimeKind.Utc)),
                ExpiresAt = new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(5), DateTimeKind.Utc)),
                State = Enum.Parse<CommandState>(reader.GetString(6)),
                Reason = reader.GetString(7),
                Details = JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(8), Json) ?? [],
                History = JsonSerializer.Deserialize<List<CommandTransition>>(reader.GetString(9), Json) ?? [],
            });
        }

        return records;
    }

    /// <summary>Unlocks explicitly: a pooled connection's session (and a lock in it) outlives its Dispose.</summary>
    private sealed class RolloutLease(NpgsqlConnection connection, string rolloutId) : IDisposable
    {
        public void Dispose()
        {
            try
            {
                using var command = new NpgsqlCommand("SELECT pg_advisory_unlock(hashtext('rollout:' || @id))", connection);
                command.Parameters.AddWithValue("id", rolloutId);
                command.ExecuteNonQuery();
            }
            catch (NpgsqlException)
            {
                // The connection is gone, and its session with the lock.
            }
            finally
            {
                connection.Dispose();
            }
        }
    }
}
