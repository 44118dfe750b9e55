using FleetControl.Auth;

namespace FleetControl.Tests.Infrastructure;

/// <summary>
/// One local account per role, each with an API token, written into a test FleetControl's accounts file
/// before it starts (through FleetControl's own <see cref="AccountStore"/>). The administrator also has a
/// password, for the console's sign-in page.
/// </summary>
internal static class TestAccounts
{
    public const string Administrator = "test-administrator";

    /// <summary>The administrator's console password.</summary>
    public const string ConsolePassword = "test-console-password";

    // Fewer iterations than production (the count is stored in the hash): tests start many instances.
    private static readonly string ConsoleHash = PasswordHasher.Hash(ConsolePassword, 1_000);

    /// <summary>Account name per role.</summary>
    public static string NameFor(string role) => "test-" + role;

    // Per shared database: several instances on one database share the accounts, so they are made once and every
    // instance's client gets the same tokens.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task<IReadOnlyDictionary<string, string>>>> SharedDatabases = new(StringComparer.Ordinal);

    /// <summary>
    /// (Re)creates the four test accounts where the instance started with <paramref name="args"/> keeps them:
    /// <paramref name="dataDirectory"/>'s accounts file, or with <c>--Store:Provider=PostgreSql</c> the shared
    /// database (once per database). Returns a token per role.
    /// </summary>
    public static Task<IReadOnlyDictionary<string, string>> ProvisionAsync(string dataDirectory, IEnumerable<string>? args = null)
    {
        var settings = (args ?? []).ToList();
        const string ConnectionPrefix = "--Store:ConnectionString=";
        if (settings.LastOrDefault(a => a.StartsWith("--Store:Provider=", StringComparison.Ordinal)) == "--Store:Provider=PostgreSql"
            && settings.LastOrDefault(a => a.StartsWith(ConnectionPrefix, StringComparison.Ordinal)) is { } connection)
        {
            var connectionString = connection[ConnectionPrefix.Length..];
            return SharedDatabases.GetOrAdd(connectionString, c => new Lazy<Task<IReadOnlyDictionary<string, string>>>(() => ProvisionDatabaseAsync(c))).Value.WaitAsync(Eventually.DefaultTimeout);
        }

        return ProvisionAsync(new FileAccountStore(Path.Combine(dataDirectory, "accounts.json")));
    }

    private static async Task<IReadOnlyDictionary<string, string>> ProvisionDatabaseAsync(string connectionString)
    {
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(connectionString);
        await global::FleetControl.Store.PostgreSql.PostgreSqlMigrations.MigrateAsync(dataSource, CancellationToken.None);
        return await ProvisionAsync(new PostgreSqlAccountStore(dataSource));
    }

    private static async Task<IReadOnlyDictionary<string, string>> ProvisionAsync(AccountStore store)
    {
        var tokens = new Dictionary<string, string>(StringComparer.Ordinal);
        await store.UpdateAsync(document =>
        {
            document.Accounts.RemoveAll(a => a.Name.StartsWith("test-", StringComparison.Ordinal));
            foreach (var role in Roles.All)
            {
                var (token, record) = ApiTokens.Create(DateTimeOffset.UnixEpoch, expiresAt: null);
                tokens[role] = token;
                document.Accounts.Add(new AccountRecord
                {
                    Name = NameFor(role),
                    Role = role,
                    PasswordHash = role == Roles.Administrator ? ConsoleHash : null,
                    Tokens = [record],
                });
            }

            return true;
        }, CancellationToken.None);
        return tokens;
    }
}
