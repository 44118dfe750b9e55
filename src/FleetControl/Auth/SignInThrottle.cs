namespace FleetControl.Auth;

/// <summary>
/// Brute-force protection for password sign-in. <c>Auth:MaxFailedSignIns</c> failures in a row lock the account
/// for <c>Auth:LockoutDuration</c>; <c>Auth:MaxFailedSignInsPerAddress</c> failures from one address lock that
/// address likewise (guessing across many names). While locked even the right password is refused, and the
/// reply is the same as for a wrong one. <see cref="MemorySignInThrottle"/> for one instance;
/// <see cref="PostgreSqlSignInThrottle"/> under <c>Store:Provider=PostgreSql</c>, so failures on every instance
/// count together and a lock holds on all of them.
/// </summary>
internal abstract class SignInThrottle
{
    /// <summary>True (and the time it ends) while <paramref name="account"/> or <paramref name="address"/> is locked.</summary>
    public abstract bool IsLocked(string account, string address, out DateTimeOffset until);

    /// <summary>Counts a failed attempt; true when it locked the account or the address.</summary>
    public abstract bool RecordFailure(string account, string address);

    /// <summary>A successful sign-in clears the account's count (not the address's).</summary>
    public abstract void RecordSuccess(string account);

    /// <summary>The counter key of an account (names compare case-insensitively).</summary>
    protected static string AccountKey(string account) => "account:" + account;

    /// <summary>The counter key of a client address.</summary>
    protected static string AddressKey(string address) => "address:" + address;
}
