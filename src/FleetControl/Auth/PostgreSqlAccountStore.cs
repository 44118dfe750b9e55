using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace FleetControl.Auth;

/// <summary>
/// The <see cref="AccountStore"/> in the shared PostgreSQL database (table <c>accounts</c>, migration 4): one
/// row per account (the record as JSON, never a password or token, only their hashes), keyed by the lower-case
/// name, with the ids of its API tokens in an array behind a GIN index so a token finds its account in one
/// lookup. A change locks the table against other writers (readers go on) and replaces the rows in one transaction.
/// </summary>
internal sealed class PostgreSqlAccountStore(NpgsqlDataSource dataSource) : AccountStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <inheritdoc/>
    public override string Path => "PostgreSQL table accounts";

    /// <inheritdoc/>
    public override IReadOnlyList<AccountRecord> List()
    {
        using var command = dataSource.CreateCommand("SELECT record::text FROM accounts ORDER BY position");
        return Read(command);
    }

    /// <inheritdoc/>
    public override AccountRecord? Find(string name)
    {
        using var command = dataSource.CreateCommand("SELECT record::text FROM accounts WHERE name_key = lower(@name)");
        command.Parameters.AddWithValue("name", name);
        return Read(command).FirstOrDefault();
    }

    /// <inheritdoc/>
    public override async Task<T> UpdateAsync<T>(Func<AccountsDocument, T> change, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE accounts IN EXCLUSIVE MODE", connection, transaction))
        {
            await lockTable.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var document = new AccountsDocument();
        await using (var select = new NpgsqlCommand("SELECT record::text FROM accounts ORDER BY position", connection, transaction))
        {
            document.Accounts.AddRange(Read(select));
        }

        var result = change(document);
        await using (var delete = new NpgsqlCommand("DELETE FROM accounts", connection, transaction))
        {
            await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var position = 0;
        foreach (var account in document.Accounts)
        {
            await using var insert = new NpgsqlCommand(
                "INSERT INTO accounts (name_key, position, token_ids, record) VALUES (lower(@name), @position, @tokens, @record)", connection, transaction);
            insert.Parameters.AddWithValue("name", account.Name);
            insert.Parameters.AddWithValue("position", position++);
            insert.Parameters.AddWithValue("tokens", account.Tokens.Select(t => t.Id).ToArray());
            insert.Parameters.Add(new NpgsqlParameter("record", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(account, Json) });
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <inheritdoc/>
    protected override IEnumerable<AccountRecord> AccountsHoldingToken(string tokenId)
    {
        using var command = dataSource.CreateCommand("SELECT record::text FROM accounts WHERE token_ids @> ARRAY[@id]");
        command.Parameters.AddWithValue("id", tokenId);
        return Read(command);
    }

    private static List<AccountRecord> Read(NpgsqlCommand command)
    {
        using var reader = command.ExecuteReader();
        var accounts = new List<AccountRecord>();
        while (reader.Read())
        {
            accounts.Add(JsonSerializer.Deserialize<AccountRecord>(reader.GetString(0), Json) ?? throw new InvalidDataException("an account record is unreadable"));
        }

        return accounts;
    }
}
