using System.Text.RegularExpressions;

namespace FleetControl.Auth;

/// <summary>
/// Local accounts and their API tokens. <see cref="FileAccountStore"/> (<c>accounts.json</c>) by default;
/// <see cref="PostgreSqlAccountStore"/> under <c>Store:Provider=PostgreSql</c>, shared by every instance, so an
/// account or token created through one instance signs in on any other. Changes apply on the next request.
/// </summary>
internal abstract partial class AccountStore
{
    /// <summary>Where the accounts live (a file path, or the database table), for messages.</summary>
    public abstract string Path { get; }

    /// <summary>Every account.</summary>
    public abstract IReadOnlyList<AccountRecord> List();

    /// <summary>The account named <paramref name="name"/> (case-insensitive), or null.</summary>
    public abstract AccountRecord? Find(string name);

    /// <summary>
    /// Applies <paramref name="change"/> to the latest accounts under an exclusive lock (across processes and
    /// instances) and stores the result; a change that throws stores nothing.
    /// </summary>
    public abstract Task<T> UpdateAsync<T>(Func<AccountsDocument, T> change, CancellationToken cancellationToken);

    /// <summary>The account and token record that <paramref name="token"/> belongs to, when it is valid at <paramref name="now"/>.</summary>
    public (AccountRecord Account, ApiTokenRecord Token)? FindToken(string token, DateTimeOffset now)
    {
        if (ApiTokens.IdOf(token) is not { } id)
        {
            return null;
        }

        foreach (var account in AccountsHoldingToken(id))
        {
            foreach (var record in account.Tokens)
            {
                if (record.Id == id)
                {
                    return ApiTokens.Matches(token, record) && (record.ExpiresAt is null || record.ExpiresAt > now) ? (account, record) : null;
                }
            }
        }

        return null;
    }

    /// <summary>True when <paramref name="name"/> may name an account: 1-64 of a-z, 0-9, '.', '_', '@', '-'.</summary>
    public static bool IsValidName(string name) => NamePattern().IsMatch(name);

    /// <summary>Accounts that may hold the token with id <paramref name="tokenId"/> (at least the one that does).</summary>
    protected abstract IEnumerable<AccountRecord> AccountsHoldingToken(string tokenId);

    [GeneratedRegex("^[a-z0-9][a-z0-9._@-]{0,63}$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
