using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace FleetControl.Auth;

/// <summary>
/// The <see cref="SignInThrottle"/> of one instance: counters in memory. A restart forgets, which only gives an
/// attacker one more round.
/// </summary>
internal sealed class MemorySignInThrottle(IOptions<AuthOptions> options, TimeProvider time) : SignInThrottle
{
    private const int MaxTrackedKeys = 100_000;
    private readonly ConcurrentDictionary<string, Failures> _failures = new(StringComparer.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public override bool IsLocked(string account, string address, out DateTimeOffset until)
    {
        var now = time.GetUtcNow();
        until = Max(LockedUntil(AccountKey(account)), LockedUntil(AddressKey(address)));
        return until > now;
    }

    /// <inheritdoc/>
    public override bool RecordFailure(string account, string address)
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

    /// <inheritdoc/>
    public override void RecordSuccess(string account) => _failures.TryRemove(AccountKey(account), out _);

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

    private sealed class Failures
    {
        public int Count { get; set; }

        public DateTimeOffset Last { get; set; }

        public DateTimeOffset? LockedUntil { get; set; }
    }
}
