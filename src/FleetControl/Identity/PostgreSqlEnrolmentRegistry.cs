using System.Text.Json;
using FleetControl.Store.PostgreSql;
using Npgsql;
using NpgsqlTypes;

namespace FleetControl.Identity;

/// <summary>
/// The <see cref="EnrolmentRegistry"/> in the shared PostgreSQL database (table <c>device_identity</c>, migration 5),
/// so every instance sees every enrolment token, issued certificate and revocation: one row per device with its record
/// as JSON (token hashes only, never a token) and the serials of its revoked certificates in an array behind a GIN
/// index, which answers the revocation check of every handshake in one lookup. A change takes a transaction-scoped
/// advisory lock on the device, so two instances redeeming the same token at once use it once.
/// </summary>
internal sealed class PostgreSqlEnrolmentRegistry : EnrolmentRegistry
{
    /// <summary>The revocation check of every handshake (GIN index on <c>revoked_serials</c>).</summary>
    internal const string IsRevokedSql = "SELECT EXISTS (SELECT 1 FROM device_identity WHERE revoked_serials @> ARRAY[@serial])";

    /// <summary>The devices with a revoked certificate, for the revocation list (partial index).</summary>
    internal const string RevokedSql = "SELECT record::text FROM device_identity WHERE cardinality(revoked_serials) > 0";

    /// <summary>One device's record (primary key).</summary>
    internal const string FindSql = "SELECT record::text FROM device_identity WHERE device_id = @id";

    private readonly NpgsqlDataSource _dataSource;
    private readonly Lock _schemaGate = new();
    private volatile bool _schemaReady;

    public PostgreSqlEnrolmentRegistry(NpgsqlDataSource dataSource, TimeProvider time)
        : base(time)
    {
        _dataSource = dataSource;
    }

    /// <inheritdoc/>
    public override bool IsRevoked(string serial)
    {
        EnsureSchema();
        using var command = _dataSource.CreateCommand(IsRevokedSql);
        command.Parameters.AddWithValue("serial", serial.ToUpperInvariant());
        return command.ExecuteScalar() is true;
    }

    /// <inheritdoc/>
    public override IReadOnlyList<(string Serial, DateTimeOffset RevokedAt)> RevokedSerials()
    {
        EnsureSchema();
        using var command = _dataSource.CreateCommand(RevokedSql);
        var revoked = new List<(string, DateTimeOffset)>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            revoked.AddRange(Deserialize(reader.GetString(0)).Certificates
                .Where(c => c.RevokedAt is not null)
                .Select(c => (c.Serial, c.RevokedAt!.Value)));
        }

        return revoked;
    }

    /// <inheritdoc/>
    private protected override DeviceIdentityRecord? Find(string deviceId)
    {
        EnsureSchema();
        using var command = _dataSource.CreateCommand(FindSql);
        command.Parameters.AddWithValue("id", deviceId);
        return command.ExecuteScalar() is string json ? Deserialize(json) : null;
    }

    /// <inheritdoc/>
    private protected override T Change<T>(string deviceId, Func<DeviceIdentityRecord, bool, T> change)
    {
        EnsureSchema();
        using var connection = _dataSource.OpenConnection();
        using var transaction = connection.BeginTransaction();
        using (var gate = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext('device_identity'), hashtext(@id))", connection, transaction))
        {
            gate.Parameters.AddWithValue("id", deviceId);
            gate.ExecuteNonQuery();
        }

        DeviceIdentityRecord? record;
        using (var select = new NpgsqlCommand(FindSql + " FOR UPDATE", connection, transaction))
        {
            select.Parameters.AddWithValue("id", deviceId);
            record = select.ExecuteScalar() is string json ? Deserialize(json) : null;
        }

        var known = record is not null;
        record ??= new DeviceIdentityRecord();
        var result = change(record, known);
        if (!known && IsEmpty(record))
        {
            return result;
        }

        Prune(record);
        using (var upsert = new NpgsqlCommand(
            """
            INSERT INTO device_identity (device_id, revoked_serials, record) VALUES (@id, @revoked, @record)
            ON CONFLICT (device_id) DO UPDATE SET revoked_serials = excluded.revoked_serials, record = excluded.record
            """, connection, transaction))
        {
            upsert.Parameters.AddWithValue("id", deviceId);
            upsert.Parameters.AddWithValue("revoked", record.Certificates.Where(c => c.RevokedAt is not null).Select(c => c.Serial.ToUpperInvariant()).ToArray());
            upsert.Parameters.Add(new NpgsqlParameter("record", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(record, Json) });
            upsert.ExecuteNonQuery();
        }

        transaction.Commit();
        return result;
    }

    /// <summary>
    /// Carries an instance's <c>identity/devices.json</c> (from before it moved to the shared database) over, once:
    /// certificates not known yet are added, a revocation in either wins, a pending token is taken when the database
    /// has none. The file is renamed <c>devices.json.imported</c> afterwards; returns how many devices it held.
    /// </summary>
    public int Import(FileEnrolmentRegistry file)
    {
        if (!File.Exists(file.FilePath))
        {
            return 0;
        }

        var records = file.Records();
        foreach (var (deviceId, old) in records)
        {
            Change(deviceId, (record, _) =>
            {
                foreach (var certificate in old.Certificates)
                {
                    var serial = certificate.Serial.ToUpperInvariant();
                    var known = record.Certificates.FirstOrDefault(c => string.Equals(c.Serial, serial, StringComparison.OrdinalIgnoreCase));
                    if (known is null)
                    {
                        record.Certificates.Add(new IssuedCertificate { Serial = serial, NotAfter = certificate.NotAfter, RevokedAt = certificate.RevokedAt });
                    }
                    else
                    {
                        known.RevokedAt ??= certificate.RevokedAt;
                    }
                }

                if (record.TokenHash is null && record.RedeemedTokenHash is null)
                {
                    (record.TokenHash, record.TokenExpiresAt) = (old.TokenHash, old.TokenExpiresAt);
                    (record.RedeemedTokenHash, record.RedeemedKey, record.RedeemedUntil) = (old.RedeemedTokenHash, old.RedeemedKey, old.RedeemedUntil);
                }

                return true;
            });
        }

        File.Move(file.FilePath, file.FilePath + ".imported", overwrite: true);
        return records.Count;
    }

    /// <summary>
    /// The identity start-up reads the registry before the migration service has run: bring the schema up first
    /// (idempotent, under the migrations' advisory lock). A failure (database unreachable) is tried again next time.
    /// </summary>
    private void EnsureSchema()
    {
        if (_schemaReady)
        {
            return;
        }

        lock (_schemaGate)
        {
            if (!_schemaReady)
            {
                PostgreSqlMigrations.MigrateAsync(_dataSource, CancellationToken.None).GetAwaiter().GetResult();
                _schemaReady = true;
            }
        }
    }

    private static DeviceIdentityRecord Deserialize(string json) =>
        JsonSerializer.Deserialize<DeviceIdentityRecord>(json, Json) ?? new DeviceIdentityRecord();
}
