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

    /// <summary>(Re)creates the four test accounts in <paramref name="dataDirectory"/>'s accounts file; returns a token per role.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> ProvisionAsync(string dataDirectory)
    {
        var store = new FileAccountStore(Path.Combine(dataDirectory, "accounts.json"));
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
        }, TestContext.Current.CancellationToken);
        return tokens;
    }
}
