using Npgsql;

namespace FleetControl.Auth;

/// <summary>
/// The <see cref="AuditLog"/> in the shared PostgreSQL database (table <c>audit_log</c>, migration 4): one
/// chain for every instance. An append takes a transaction-level advisory lock, reads the chain's tail, and
/// inserts the next record in the same transaction, so instances appending at once still form one unbroken
/// chain; the record's exact JSON text is stored (as text, not jsonb) because its hash is over those bytes.
/// </summary>
internal sealed class PostgreSqlAuditLog(NpgsqlDataSource dataSource, TimeProvider time) : AuditLog
{
    /// <summary>The advisory lock key appends take ("FCAUDIT" in ASCII).</summary>
    private const long LockKey = 0x4643415544495400;

    /// <inheritdoc/>
    public override string Path => "PostgreSQL table audit_log";

    /// <inheritdoc/>
    public override async Task<AuditEntry> AppendAsync(AuditEvent audit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var lockChain = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, transaction))
        {
            lockChain.Parameters.AddWithValue("key", LockKey);
            await lockChain.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        long sequence = 0;
        var previous = Genesis;
        await using (var tail = new NpgsqlCommand("SELECT sequence, hash FROM audit_log ORDER BY sequence DESC LIMIT 1", connection, transaction))
        await using (var reader = await tail.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                sequence = reader.GetInt64(0);
                previous = reader.GetString(1);
            }
        }

        var (entry, body, hash) = Chain(audit, sequence, previous, time.GetUtcNow());
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO audit_log (sequence, at, action, entry, hash) VALUES (@sequence, @at, @action, @entry, @hash)", connection, transaction))
        {
            insert.Parameters.AddWithValue("sequence", entry.Sequence);
            insert.Parameters.AddWithValue("at", entry.Time.UtcDateTime);
            insert.Parameters.AddWithValue("action", entry.Action);
            insert.Parameters.AddWithValue("entry", body);
            insert.Parameters.AddWithValue("hash", hash);
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return entry;
    }

    /// <inheritdoc/>
    public override IReadOnlyList<AuditEntry> ReadNewest(int limit, string? actionPrefix)
    {
        using var command = dataSource.CreateCommand(actionPrefix is null
            ? "SELECT entry FROM audit_log ORDER BY sequence DESC LIMIT @limit"
            : "SELECT entry FROM audit_log WHERE starts_with(action, @prefix) ORDER BY sequence DESC LIMIT @limit");
        command.Parameters.AddWithValue("limit", limit);
        if (actionPrefix is not null)
        {
            command.Parameters.AddWithValue("prefix", actionPrefix);
        }

        using var reader = command.ExecuteReader();
        var entries = new List<AuditEntry>();
        while (reader.Read())
        {
            if (ParseEntry(reader.GetString(0)) is { } entry)
            {
                entries.Add(entry);
            }
        }

        return entries;
    }

    /// <inheritdoc/>
    public override AuditVerification Verify()
    {
        using var command = dataSource.CreateCommand("SELECT entry, hash FROM audit_log ORDER BY sequence");
        using var reader = command.ExecuteReader();
        var records = new List<(AuditEntry?, string?, string?)>();
        while (reader.Read())
        {
            var body = reader.GetString(0);
            records.Add((ParseEntry(body), body, reader.GetString(1)));
        }

        return VerifyChain(records);
    }
}
