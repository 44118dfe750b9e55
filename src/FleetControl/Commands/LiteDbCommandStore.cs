using System.Globalization;
using EdgeGateway.Storage;
using LiteDB;

namespace FleetControl.Commands;

/// <summary>
/// The embedded <see cref="CommandStore"/>: LiteDB file <c>commands.db</c> beside the fleet store. One lock
/// serialises every operation (as in the fleet store); every write is on disk when the call returns, so a
/// command accepted by the API survives a FleetControl crash and is still delivered.
/// </summary>
internal sealed class LiteDbCommandStore : CommandStore
{
    private const string Commands = "commands";
    private const string Configurations = "configurations";
    private const string Rollouts = "rollouts";

    private readonly DurableLiteDatabase _durable;
    private readonly LiteDatabase _db;
    private readonly Lock _lock = new();

    /// <param name="databasePath">The LiteDB file.</param>
    public LiteDbCommandStore(string databasePath)
    {
        _durable = DurableLiteDatabase.Open(databasePath, new Collation(CultureInfo.InvariantCulture.LCID, CompareOptions.Ordinal));
        _db = _durable.Database;
        var commands = _db.GetCollection(Commands);
        commands.EnsureIndex("device");
        commands.EnsureIndex("state");
    }

    /// <inheritdoc/>
    public override bool Add(CommandRecord record)
    {
        lock (_lock)
        {
            var col = _db.GetCollection(Commands);
            if (col.FindById(record.CommandId) is not null)
            {
                return false;
            }

            col.Insert(ToDocument(record));
            _durable.WaitDurable();
            return true;
        }
    }

    /// <inheritdoc/>
    public override CommandRecord? Get(string commandId)
    {
        lock (_lock)
        {
            var doc = _db.GetCollection(Commands).FindById(commandId);
            return doc is null ? null : FromDocument(doc);
        }
    }

    /// <inheritdoc/>
    public override IReadOnlyList<CommandRecord> ListForDevice(string deviceId, int limit)
    {
        lock (_lock)
        {
            // Ids are UUIDv7 (time-ordered), so ordering by id is ordering by creation.
            return _db.GetCollection(Commands).Query()
                .Where("device = @0", deviceId)
                .OrderByDescending("_id")
                .Limit(limit)
                .ToEnumerable()
                .Select(FromDocument)
                .ToList();
        }
    }

    /// <inheritdoc/>
    public override IReadOnlyList<CommandRecord> Undelivered(string deviceId)
    {
        lock (_lock)
        {
            return _db.GetCollection(Commands).Query()
                .Where("device = @0 AND (state = @1 OR state = @2 OR state = @3)", deviceId, nameof(CommandState.Queued), nameof(CommandState.Sent), nameof(CommandState.Accepted))
                .OrderBy("_id")
                .ToEnumerable()
                .Select(FromDocument)
                .ToList();
        }
    }

    /// <inheritdoc/>
    public override IReadOnlyList<CommandRecord> DueForExpiry(DateTimeOffset now)
    {
        lock (_lock)
        {
            return _db.GetCollection(Commands).Query()
                .Where("(state = @0 OR state = @1) AND expires <= @2", nameof(CommandState.Queued), nameof(CommandState.Sent), now.UtcTicks)
                .ToEnumerable()
                .Select(FromDocument)
                .ToList();
        }
    }

    /// <inheritdoc/>
    public override DateTimeOffset? NextExpiry()
    {
        lock (_lock)
        {
            var doc = _db.GetCollection(Commands).Query()
                .Where("state = @0 OR state = @1", nameof(CommandState.Queued), nameof(CommandState.Sent))
                .OrderBy("expires")
                .Limit(1)
                .FirstOrDefault();
            return doc is null ? null : new DateTimeOffset(doc["expires"].AsInt64, TimeSpan.Zero);
        }
    }

    /// <inheritdoc/>
    public override CommandRecord? Transition(string commandId, CommandState state, string reason, DateTimeOffset at, IReadOnlyDictionary<string, string>? details = null)
    {
        lock (_lock)
        {
            var col = _db.GetCollection(Commands);
            var doc = col.FindById(commandId);
            if (doc is null)
            {
                return null;
            }

            if (Next(FromDocument(doc), state, reason, at, details) is not { } updated)
            {
                return null;
            }

            col.Update(ToDocument(updated));
            _durable.WaitDurable();
            return updated;
        }
    }

    /// <inheritdoc/>
    public override DeviceConfiguration GetConfiguration(string deviceId)
    {
        lock (_lock)
        {
            var doc = _db.GetCollection(Configurations).FindById(deviceId);
            return doc is null
                ? new DeviceConfiguration(deviceId, 0, string.Empty, 0, string.Empty, string.Empty)
                : new DeviceConfiguration(
                    deviceId,
                    doc["desired"].AsInt64,
                    doc["json"].AsString,
                    doc["reported"].AsInt64,
                    doc["status"].AsString,
                    doc["command"].AsString);
        }
    }

    /// <inheritdoc/>
    public override void PutConfiguration(DeviceConfiguration configuration)
    {
        lock (_lock)
        {
            _db.GetCollection(Configurations).Upsert(new BsonDocument
            {
                ["_id"] = configuration.DeviceId,
                ["desired"] = configuration.DesiredVersion,
                ["json"] = configuration.DesiredJson,
                ["reported"] = configuration.ReportedVersion,
                ["status"] = configuration.Status,
                ["command"] = configuration.CommandId,
            });
            _durable.WaitDurable();
        }
    }

    /// <inheritdoc/>
    public override void PutRollout(Rollout rollout)
    {
        lock (_lock)
        {
            // An array, not a document keyed by device id: ids may hold '.', which is not a plain field name.
            var devices = new BsonArray(rollout.Devices.Select(device => new BsonDocument
            {
                ["id"] = device,
                ["state"] = rollout.DeviceStates.GetValueOrDefault(device) ?? string.Empty,
                ["command"] = rollout.DeviceCommands.GetValueOrDefault(device) ?? string.Empty,
            }));

            _db.GetCollection(Rollouts).Upsert(new BsonDocument
            {
                ["_id"] = rollout.RolloutId,
                ["group"] = rollout.Group,
                ["json"] = rollout.Json,
                ["first"] = rollout.FirstStageSize,
                ["started"] = rollout.StartedAt.UtcTicks,
                ["ttl"] = rollout.TimeToLive is { } ttl ? ttl.Ticks : BsonValue.Null,
                ["state"] = rollout.State,
                ["reason"] = rollout.Reason,
                ["stage"] = rollout.Stage,
                ["devices"] = devices,
                ["kind"] = rollout.Kind,
                ["waves"] = new BsonArray(rollout.Waves.Select(w => new BsonValue(w))),
                ["version"] = rollout.Version,
                ["waveTimeout"] = rollout.WaveTimeout is { } waveTimeout ? waveTimeout.Ticks : BsonValue.Null,
            });
            _durable.WaitDurable();
        }
    }

    /// <inheritdoc/>
    public override IReadOnlyList<Rollout> ListRollouts()
    {
        lock (_lock)
        {
            return _db.GetCollection(Rollouts).Query().OrderByDescending("_id").ToEnumerable().Select(RolloutFrom).ToList();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _durable.Dispose();
        }
    }

    private static Rollout RolloutFrom(BsonDocument d)
    {
        var rollout = new Rollout
        {
            RolloutId = d["_id"].AsString,
            Group = d["group"].AsString,
            Devices = d["devices"].AsArray.Select(v => v["id"].AsString).ToList(),
            Json = d["json"].AsString,
            FirstStageSize = d["first"].AsInt32,
            StartedAt = new DateTimeOffset(d["started"].AsInt64, TimeSpan.Zero),
            TimeToLive = d["ttl"].IsNull ? null : TimeSpan.FromTicks(d["ttl"].AsInt64),
            Stage = d["stage"].AsInt32,

            // Stored before update rollouts existed: a configuration rollout.
            Kind = d.TryGetValue("kind", out var kind) && kind.IsString ? kind.AsString : Rollout.ConfigurationKind,
            Waves = d.TryGetValue("waves", out var waves) && waves.IsArray ? waves.AsArray.Select(w => w.AsInt32).ToList() : [],
            Version = d.TryGetValue("version", out var version) && version.IsString ? version.AsString : string.Empty,
            WaveTimeout = d.TryGetValue("waveTimeout", out var waveTimeout) && !waveTimeout.IsNull ? TimeSpan.FromTicks(waveTimeout.AsInt64) : null,
        };
        foreach (var value in d["devices"].AsArray)
        {
            var device = value["id"].AsString;
            if (value["state"].AsString is { Length: > 0 } state)
            {
                rollout.DeviceStates[device] = state;
            }

            if (value["command"].AsString is { Length: > 0 } command)
            {
                rollout.DeviceCommands[device] = command;
            }
        }

        rollout.Reason = d["reason"].AsString;
        rollout.State = d["state"].AsString;
        return rollout;
    }

    private static BsonDocument ToDocument(CommandRecord r)
    {
        var details = new BsonDocument();
        foreach (var (key, value) in r.Details)
        {
            details[key] = value;
        }

        return new BsonDocument
        {
            ["_id"] = r.CommandId,
            ["device"] = r.DeviceId,
            ["kind"] = r.Kind,
            ["payload"] = r.Payload,
            ["created"] = r.CreatedAt.UtcTicks,
            ["expires"] = r.ExpiresAt.UtcTicks,
            ["state"] = r.State.ToString(),
            ["reason"] = r.Reason,
            ["details"] = details,
            ["history"] = new BsonArray(r.History.Select(h => new BsonDocument
            {
                ["at"] = h.At.UtcTicks,
                ["state"] = h.State.ToString(),
                ["reason"] = h.Reason,
            })),
        };
    }

    private static CommandRecord FromDocument(BsonDocument d) => new()
    {
        CommandId = d["_id"].AsString,
        DeviceId = d["device"].AsString,
        Kind = d["kind"].AsString,
        Payload = d["payload"].AsBinary,
        CreatedAt = new DateTimeOffset(d["created"].AsInt64, TimeSpan.Zero),
        ExpiresAt = new DateTimeOffset(d["expires"].AsInt64, TimeSpan.Zero),
        State = Enum.Parse<CommandState>(d["state"].AsString),
        Reason = d["reason"].AsString,
        Details = d["details"].AsDocument.ToDictionary(kv => kv.Key, kv => kv.Value.AsString, StringComparer.Ordinal),
        History = d["history"].AsArray.Select(h => new CommandTransition(
            new DateTimeOffset(h["at"].AsInt64, TimeSpan.Zero),
            Enum.Parse<CommandState>(h["state"].AsString),
            h["reason"].AsString)).ToList(),
    };
}
