namespace FleetControl.Anpr.PostgreSql;

/// <summary>The ANPR part of the PostgreSQL schema: migration 3 of <see cref="Store.PostgreSql.PostgreSqlMigrations"/>.</summary>
internal static class AnprSchema
{
    /// <summary>Tables partitioned by day (on the read's camera time), dropped whole by retention.</summary>
    internal static readonly string[] PartitionedTables = ["anpr_reads", "anpr_images", "anpr_hits"];

    // Reads, images and hits are RANGE-partitioned by day on the camera time the read carries, so a redelivered read
    // (or hit) lands in the partition of its first copy and the primary key, which must contain the partition key,
    // dedupes it with ON CONFLICT DO NOTHING. An image's day is the capture time of its envelope (the hit's camera
    // time for a hit's images), which is also the day folder of its file in the vault, so retention drops both.
    // Every search the API makes is newest first with a LIMIT: (vrm | device_id | nothing, camera_time DESC) B-trees
    // give that order; an area is a GiST index on point(longitude, latitude) (core PostgreSQL, no PostGIS), its few
    // matches then sorted. The hotlist version is a sequence, taken under a lock on the delta table so versions
    // commit in order and every instance hands out the same deltas.
    internal const string V3 = """
        CREATE TABLE anpr_reads (
            read_id text COLLATE "C" NOT NULL,
            camera_time timestamptz NOT NULL,
            device_id text COLLATE "C" NOT NULL,
            message_id text COLLATE "C" NOT NULL,
            vrm text COLLATE "C" NOT NULL,
            latitude double precision,
            longitude double precision,
            raw bytea NOT NULL,
            PRIMARY KEY (read_id, camera_time)
        ) PARTITION BY RANGE (camera_time);
        CREATE INDEX anpr_reads_vrm ON anpr_reads (vrm, camera_time DESC);
        CREATE INDEX anpr_reads_device ON anpr_reads (device_id, camera_time DESC);
        CREATE INDEX anpr_reads_time ON anpr_reads (camera_time DESC);
        CREATE INDEX anpr_reads_area ON anpr_reads USING gist (point(longitude, latitude));

        CREATE TABLE anpr_images (
            read_id text COLLATE "C" NOT NULL,
            kind text COLLATE "C" NOT NULL,
            captured_at timestamptz NOT NULL,
            path text NOT NULL,
            sha256 text NOT NULL,
            ok boolean NOT NULL,
            PRIMARY KEY (read_id, kind, captured_at)
        ) PARTITION BY RANGE (captured_at);

        CREATE TABLE anpr_hits (
            message_id text COLLATE "C" NOT NULL,
            captured_at timestamptz NOT NULL,
            device_id text COLLATE "C" NOT NULL,
            read_id text COLLATE "C" NOT NULL,
            raw bytea NOT NULL,
            PRIMARY KEY (message_id, captured_at)
        ) PARTITION BY RANGE (captured_at);
        CREATE INDEX anpr_hits_captured ON anpr_hits (captured_at DESC);

        CREATE SEQUENCE hotlist_version_seq;
        CREATE TABLE hotlist_entries (
            vrm text COLLATE "C" PRIMARY KEY,
            raw bytea NOT NULL);
        CREATE TABLE hotlist_deltas (
            version bigint PRIMARY KEY,
            base_version bigint NOT NULL,
            changed_at timestamptz NOT NULL DEFAULT now(),
            raw bytea NOT NULL);
        CREATE TABLE hotlist_devices (
            device_id text COLLATE "C" PRIMARY KEY,
            version bigint NOT NULL,
            reported_at timestamptz NOT NULL,
            pending text[] NOT NULL,
            pending_version bigint NOT NULL);
        """;
}
