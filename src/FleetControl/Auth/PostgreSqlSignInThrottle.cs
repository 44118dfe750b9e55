using Microsoft.Extensions.Options;
using Npgsql;

namespace FleetControl.Auth;

/// <summary>
/// The <see cref="SignInThrottle"/> in the shared PostgreSQL database (table <c>signin_failures</c>, migration 4):
/// one row per account or address, counted and locked by a single upsert, so concurrent failures on several
/// instances count once each and a lock set on one instance refuses on all. Rows of expired counts are removed
/// now and then (about every 256th failure), so names sprayed by a guesser do not accumulate.
/// </summary>
internal sealed class PostgreSqlSignInThrottle(NpgsqlDataSource dataSource, IOptions<AuthOptions> options, TimeProvider time) : SignInThrottle
{
    private const string Count = """
        INSERT INTO signin_failures AS f (key, failures, last_at, locked_until)
        VALUES (lower(@key), 1, @now, CASE WHEN 1 >= @limit THEN @until END)
        ON CONFLICT (key) DO UPDATE SET
            failures = CASE WHEN f.locked_until <= @now THEN 1 ELSE f.failures + 1 END,
            last_at = @now,
            locked_until = CASE
                WHEN f.locked_until <= @now THEN CASE WHEN 1 >= @limit THEN @until END
                WHEN f.locked_until IS NOT NULL THEN f.locked_until
                WHEN f.failures + 1 >= @limit THEN @until
            END
        RETURNING failures = @limit AND locked_until IS NOT DISTINCT FROM @until
        """;

    /// <inheritdoc/>
    public override bool IsLocked(string account, string address, out DateTimeOffset until)
    {
        using var command = dataSource.CreateCommand("SELECT max(locked_until) FROM signin_failures WHERE key IN (lower(@account), lower(@address))");
        command.Parameters.AddWithValue("account", AccountKey(account));
        command.Parameters.AddWithValue("address", AddressKey(address));
        until = command.ExecuteScalar() is DateTime at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : DateTimeOffset.MinValue;
        return until > time.GetUtcNow();
    }

    /// <inheritdoc/>
    public override bool RecordFailure(string account, string address)
    {
        var o = options.Value;
        var now = time.GetUtcNow();
        if (Random.Shared.Next(256) == 0)
        {
            using var prune = dataSource.CreateCommand("DELETE FROM signin_failures WHERE last_at < @stale AND (locked_until IS NULL OR locked_until <= @now)");
            prune.Parameters.AddWithValue("stale", (now - o.LockoutDuration).UtcDateTime);
            prune.Parameters.AddWithValue("now", now.UtcDateTime);
            prune.ExecuteNonQuery();
        }

        var accountLocked = Counted(AccountKey(account), o.MaxFailedSignIns, now, o.LockoutDuration);
        var addressLocked = Counted(AddressKey(address), o.MaxFailedSignInsPerAddress, now, o.LockoutDuration);
        return accountLocked || addressLocked;
    }

    /// <inheritdoc/>
    public override void RecordSuccess(string account)
    {
        using var command = dataSource.CreateCommand("DELETE FROM signin_failures WHERE key = lower(@key)");
        command.Parameters.AddWithValue("key", AccountKey(account));
        command.ExecuteNonQuery();
    }

    /// <summary>Counts one failure of <paramref name="key"/>; true when this failure locked it.</summary>
    private bool Counted(string key, int limit, DateTimeOffset now, TimeSpan lockout)
    {
        using var command = dataSource.CreateCommand(Count);
        command.Parameters.AddWithValue("key", key);
        command.Parameters.AddWithValue("now", now.UtcDateTime);
        command.Parameters.AddWithValue("limit", limit);
        command.Parameters.AddWithValue("until", (now + lockout).UtcDateTime);
        return command.ExecuteScalar() is true;
    }
}
