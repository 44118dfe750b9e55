using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace FleetControl.Auth;

/// <summary>
/// Brute-force protection for password sign-in. <c>Auth:MaxFailedSignIns</c> failures in a row lock the account
/// for <c>Auth:LockoutDuration</c>; <c>Auth:MaxFailedSignInsPerAddress</c> failures from one address lock that
/// address likewise (guessing across many names). While locked even the right password is refused, and the
/// reply is the same as for a wrong one. In memory: a restart forgets, which only gives an attacker one more
/// round.
/// </summary>
internal sealed class SignInThrottle(IOptions<AuthOptions> options, TimeProvider time)
{
    private const int MaxTrackedKeys = 100_000;
    private readonly ConcurrentDictionary<string, Failures> _failures = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>True (and the time it ends) while <paramref name="account"/> or <paramref name="address"/> is locked.</summary>
    public bool IsLocked(string account, string address, out DateTimeOffset until)
    {
        var now = time.GetUtcNow();
        until = Max(LockedUntil(AccountKey(account)), LockedUntil(AddressKey(address)));
        return until > now;
    }

    /// <summary>Counts a failed attempt; true when it locked the account or the address.</summary>
    public bool RecordFailure(string account, string address)
    {
        var o = options.Value;
        var now = time.GetUtcNow();
        if (_failures.Count > MaxTrackedKeys)
        {
            Prune(now);
        }

        var accountLocked = Count(AccountKey(account), o.MaxFailedSignIns, now, o.LockoutDuration);
        var addressLocked = Count(AddressKey(address), o.MaxFailedSignInsPerAddress, now, o.LockoutDuration);
        return accountLocked || addressLocked;
    }

    /// <summary>A successful sign-in clears the account's count (not the address's).</summary>
    public void RecordSuccess(string account) => _failures.TryRemove(AccountKey(account), out _);

    private bool Count(string key, int limit, DateTimeOffset now, TimeSpan lockout)
    {
        var state = _failures.GetOrAdd(key, _ => new Failures());
        lock (state)
        {
            if (state.LockedUntil is { } until && until <= now)
            {
                // A lock that has run out starts a fresh count.
                state.Count = 0;
                state.LockedUntil = null;
            }

            state.Count++;
            state.Last = now;
            if (state.Count >= limit && state.LockedUntil is null)
            {
                state.LockedUntil = now + lockout;
                return true;
            }

            return false;
        }
    }

    private DateTimeOffset LockedUntil(string key)
    {
        if (!_failures.TryGetValue(key, out var state))
        {
            return DateTimeOffset.MinValue;
        }

        lock (state)
        {
            return state.LockedUntil ?? DateTimeOffset.MinValue;
        }
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (key, state) in _failures)
        {
            if (state.LockedUntil is null || state.LockedUntil <= now)
            {
                _failures.TryRemove(key, out _);
            }
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static string AccountKey(string account) => "account:" + account;

    private static string AddressKey(string address) => "address:" + address;

    private sealed class Failures
    {
        public int Count { get; set; }

        public DateTimeOffset Last { get; set; }

        public DateTimeOffset? LockedUntil { get; set; }
    }
}
