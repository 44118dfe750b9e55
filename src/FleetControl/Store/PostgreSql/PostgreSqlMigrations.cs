using Npgsql;

namespace FleetControl.Store.PostgreSql;

/// <summary>
/// The PostgreSQL schema as numbered migrations, applied in order at start-up. Every instance runs
/// <see cref="MigrateAsync"/>; a session-level advisory lock makes the others wait while one applies
/// a version, and each version is applied in its own transaction together with its row in
/// <c>fc_schema_migrations</c>, so a crash never leaves half a version. A version once released is
/// never edited: a change is a new version.
/// </summary>
internal static class PostgreSqlMigrations
{
    /// <summary>The advisory lock key (any constant shared by every instance; "FCMIGRAT" in ASCII).</summary>
    public const long LockKey = 0x46434D4947524154;

    /// <summary>Every version, oldest first.</summary>
    public static IReadOnlyList<(int Version, string Description, string Sql)> All { get; } =
    [
        (1, "devices, envelopes and positions (daily partitions), events, data loss, health, evidence", V1),
        (2, "fleet table: trigram indexes on device id and role, online flag with device id", V2),
        (3, "ANPR reads, images and hits (daily partitions), hotlist entries, deltas, version sequence, vehicles", Anpr.PostgreSql.AnprSchema.V3),
        (4, "commands, device configurations, rollouts, alerts, accounts, audit log, sign-in failures, data-protection keys", V4),
        (5, "envelope dedupe keys (a TETRA LIP position and the same fix over LTE stored once)", V5),
        (6, "device identity: enrolment tokens, issued certificates and revocations", V6),
    ];

    public static int Latest => All[^1].Version;

    /// <summary>Applies every version not yet applied; returns the versions this call applied.</summary>
    public static async Task<IReadOnlyList<int>> MigrateAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection))
        {
            lockCommand.Parameters.AddWithValue("key", LockKey);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            await using (var create = new NpgsqlCommand(
                "CREATE TABLE IF NOT EXISTS fc_schema_migrations (version int PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
                connection))
            {
                await create.ExecuteNonQueryAsync(cancellationToken);
            }

            var applied = new HashSet<int>();
            await using (var read = new NpgsqlCommand("SELECT version FROM fc_schema_migrations", connection))
            await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    applied.Add(reader.GetInt32(0));
                }
            }

            if (applied.Count > 0 && applied.Max() > Latest)
            {
                throw new InvalidOperationException(
                    $"The PostgreSQL schema is at version {applied.Max()}, newer than this FleetControl knows ({Latest}): upgrade this instance.");
            }

            var done = new List<int>();
            foreach (var (version, description, sql) in All)
            {
                if (applied.Contains(version))
                {
                    continue;
                }

                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await using (var apply = new NpgsqlCommand(sql, connection, transaction))
                {
                    await apply.ExecuteNonQueryAsync(cancellationToken);
                }

                await using (var record = new NpgsqlCommand("INSERT INTO fc_schema_migrations (version, description) VALUES (@v, @d)", connection, transaction))
                {
                    record.Parameters.AddWithValue("v", version);
                    record.Parameters.AddWithValue("d", description);
                    await record.ExecuteNonQueryAsync(cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
                done.Add(version);
            }

            return done;
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
            unlock.Parameters.AddWithValue("key", LockKey);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    // One row per (device, Envelope.dedupe_key): not partitioned, so a key decides across days and capture times
    // (a re-sent LIP is captured at its arrival), and across instances (the second insert waits for the first's commit).
    private const string V5 = """
        CREATE TABLE envelope_dedupe (
            device_id text COLLATE "C" NOT NULL,
            dedupe_key text COLLATE "C" NOT NULL,
            message_id text COLLATE "C" NOT NULL,
            received_at timestamptz NOT NULL,
            PRIMARY KEY (device_id, dedupe_key));
        """;

    // Envelopes and positions are RANGE-partitioned by day on a time the envelope carries (capture
    // time, fix time), so a redelivered envelope lands in the same partition as its first copy and the
    // primary key (which must contain the partition key) still deduplicates it. Partitions are made
    // on demand by fc_ensure_day_partition and dropped whole by retention.
    private const string V1 = """
        CREATE TABLE devices (
            device_id text COLLATE "C" PRIMARY KEY,
            role text NOT NULL DEFAULT '',
            software_version text NOT NULL DEFAULT '',
            hostname text NOT NULL DEFAULT '',
            capabilities text[] NOT NULL DEFAULT '{}',
            registered_at timestamptz,
            online boolean NOT NULL DEFAULT false,
            last_seen timestamptz,
            envelopes bigint NOT NULL DEFAULT 0,
            positions bigint NOT NULL DEFAULT 0,
            last_position_time timestamptz,
            last_position_captured timestamptz,
            last_position bytea,
            health bytea,
            health_at timestamptz,
            dock bytea,
            dock_at timestamptz);
        CREATE INDEX devices_online ON devices (online);

        CREATE TABLE envelopes (
            message_id text COLLATE "C" NOT NULL,
            captured_at timestamptz NOT NULL,
            device_id text COLLATE "C" NOT NULL,
            received_at timestamptz NOT NULL,
            raw bytea NOT NULL,
            PRIMARY KEY (message_id, captured_at)
        ) PARTITION BY RANGE (captured_at);

        CREATE TABLE positions (
            device_id text COLLATE "C" NOT NULL,
            fix_time timestamptz NOT NULL,
            message_id text COLLATE "C" NOT NULL,
            sequence bigint NOT NULL,
            latitude double precision NOT NULL,
            longitude double precision NOT NULL,
            altitude double precision,
            speed double precision,
            track double precision,
            mode int NOT NULL,
            PRIMARY KEY (device_id, fix_time, message_id)
        ) PARTITION BY RANGE (fix_time);

        CREATE TABLE events (
            message_id text COLLATE "C" PRIMARY KEY,
            device_id text COLLATE "C" NOT NULL,
            stream text NOT NULL,
            captured_at timestamptz NOT NULL,
            raw bytea NOT NULL);
        CREATE INDEX events_device_captured ON events (device_id, captured_at DESC);

        CREATE TABLE data_loss (
            message_id text COLLATE "C" PRIMARY KEY,
            device_id text COLLATE "C" NOT NULL,
            captured_at timestamptz NOT NULL,
            raw bytea NOT NULL);
        CREATE INDEX data_loss_device_captured ON data_loss (device_id, captured_at);

        CREATE TABLE health (
            device_id text COLLATE "C" NOT NULL,
            captured_at timestamptz NOT NULL,
            message_id text COLLATE "C" NOT NULL,
            raw bytea NOT NULL,
            PRIMARY KEY (device_id, captured_at, message_id));

        CREATE TABLE evidence (
            evidence_id text COLLATE "C" PRIMARY KEY,
            device_id text COLLATE "C" NOT NULL,
            camera_serial text NOT NULL,
            officer_id text,
            category text,
            trigger text,
            recorded_at timestamptz NOT NULL,
            summary jsonb NOT NULL,
            record bytea NOT NULL);
        CREATE INDEX evidence_recorded ON evidence (recorded_at DESC, evidence_id);
        CREATE INDEX evidence_device ON evidence (lower(device_id), recorded_at DESC, evidence_id);
        CREATE INDEX evidence_camera ON evidence (lower(camera_serial), recorded_at DESC, evidence_id);
        CREATE INDEX evidence_officer ON evidence (lower(officer_id), recorded_at DESC, evidence_id);
        CREATE INDEX evidence_category ON evidence (lower(category), recorded_at DESC, evidence_id);
        CREATE INDEX evidence_trigger ON evidence (lower(trigger), recorded_at DESC, evidence_id);

        -- Creates parent's partition for the UTC day holding "at" unless it exists. The transaction-level
        -- advisory lock serialises instances creating the same partition at once.
        CREATE FUNCTION fc_ensure_day_partition(parent text, at timestamptz) RETURNS void
        LANGUAGE plpgsql AS $$
        DECLARE
            day date := (at AT TIME ZONE 'UTC')::date;
            name text := parent || '_p' || to_char(day, 'YYYYMMDD');
        BEGIN
            PERFORM pg_advisory_xact_lock(hashtext(name));
            IF to_regclass(name) IS NULL THEN
                EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
                    name, parent, (day::timestamp AT TIME ZONE 'UTC'), ((day + 1)::timestamp AT TIME ZONE 'UTC'));
            END IF;
        END $$;
        """;

    // The console's fleet table pages the device list on the server: "id or role contains" is served
    // by trigram GIN indexes (pg_trgm, a trusted extension since PostgreSQL 13, so the database owner
    // may create it), and the online filter in device id order by (online, device_id), which replaces
    // the online-only index of V1.
    private const string V2 = """
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
        CREATE INDEX devices_id_trgm ON devices USING gin (device_id gin_trgm_ops);
        CREATE INDEX devices_role_trgm ON devices USING gin (role gin_trgm_ops);
        CREATE INDEX devices_online_id ON devices (online, device_id);
        DROP INDEX devices_online;
        """;

    // Version 3 is the ANPR tables (reads, images, hits, hotlists); versions are applied in list order and
    // each is recorded on its own, so 4 does not depend on 3.
    // Everything FleetControl kept per instance beside the fleet store (commands.db, alerts.db, accounts.json,
    // audit.jsonl, sign-in failure counts, the cookie key ring) moves here, so any instance answers for it. Each query the stores make
    // has an index: a device's commands newest first, its open commands oldest first, the next expiry; alerts
    // newest first (all, per state, per device) and the active ones of a rule; an API token's account.
    private const string V4 = """
        CREATE TABLE commands (
            command_id text COLLATE "C" PRIMARY KEY,
            device_id text COLLATE "C" NOT NULL,
            kind text NOT NULL,
            payload bytea NOT NULL,
            created_at timestamptz NOT NULL,
            expires_at timestamptz NOT NULL,
            state text NOT NULL,
            reason text NOT NULL,
            details jsonb NOT NULL,
            history jsonb NOT NULL);
        CREATE INDEX commands_device ON commands (device_id, command_id);
        CREATE INDEX commands_open ON commands (device_id, command_id) WHERE state IN ('Queued', 'Sent', 'Accepted');
        CREATE INDEX commands_expiry ON commands (expires_at) WHERE state IN ('Queued', 'Sent');

        CREATE TABLE device_configurations (
            device_id text COLLATE "C" PRIMARY KEY,
            desired bigint NOT NULL,
            json text NOT NULL,
            reported bigint NOT NULL,
            status text NOT NULL,
            command_id text COLLATE "C" NOT NULL);

        CREATE TABLE rollouts (
            rollout_id text COLLATE "C" PRIMARY KEY,
            record jsonb NOT NULL);

        CREATE TABLE alerts (
            alert_id text COLLATE "C" PRIMARY KEY,
            rule text COLLATE "C" NOT NULL,
            device_id text COLLATE "C" NOT NULL,
            state text NOT NULL,
            raised_at timestamptz NOT NULL,
            record jsonb NOT NULL);
        CREATE INDEX alerts_raised ON alerts (raised_at DESC);
        CREATE INDEX alerts_state_raised ON alerts (state, raised_at DESC);
        CREATE INDEX alerts_device_raised ON alerts (device_id, raised_at DESC);
        CREATE INDEX alerts_active_rule ON alerts (rule) WHERE state = 'active';

        CREATE TABLE accounts (
            name_key text COLLATE "C" PRIMARY KEY,
            position int NOT NULL,
            token_ids text[] NOT NULL,
            record jsonb NOT NULL);
        CREATE INDEX accounts_tokens ON accounts USING gin (token_ids);

        CREATE TABLE audit_log (
            sequence bigint PRIMARY KEY,
            at timestamptz NOT NULL,
            action text COLLATE "C" NOT NULL,
            entry text NOT NULL,
            hash text NOT NULL);

        CREATE TABLE signin_failures (
            key text COLLATE "C" PRIMARY KEY,
            failures int NOT NULL,
            last_at timestamptz NOT NULL,
            locked_until timestamptz);
        CREATE INDEX signin_failures_last ON signin_failures (last_at);

        CREATE TABLE data_protection_keys (
            name text PRIMARY KEY,
            created_at timestamptz NOT NULL DEFAULT now(),
            xml text NOT NULL);
        """;

    // The enrolment registry (identity/devices.json per instance until now): one row per device, its record as JSON,
    // the serials of its revoked certificates in an array so the revocation check of a handshake is one GIN lookup,
    // and a partial index for the revocation list (only devices with a revoked certificate).
    private const string V6 = """
        CREATE TABLE device_identity (
            device_id text COLLATE "C" PRIMARY KEY,
            revoked_serials text[] NOT NULL,
            record jsonb NOT NULL);
        CREATE INDEX device_identity_revoked ON device_identity USING gin (revoked_serials);
        CREATE INDEX device_identity_with_revoked ON device_identity (device_id) WHERE cardinality(revoked_serials) > 0;
        """;
}
