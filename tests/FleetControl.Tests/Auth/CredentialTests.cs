using FleetControl.Auth;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace FleetControl.Tests.Auth;

/// <summary>Password hashes, API tokens and the sign-in throttle on their own.</summary>
public sealed class CredentialTests
{
    [Fact]
    public void PasswordHash_IsSaltedSlowAndVerifiesOnlyTheRightPassword()
    {
        var hash = PasswordHasher.Hash("correct horse battery", 1_000);
        Assert.True(PasswordHasher.Verify("correct horse battery", hash));
        Assert.False(PasswordHasher.Verify("correct horse battery ", hash));
        Assert.False(PasswordHasher.Verify("correct horse battery", "not-a-hash"));
        Assert.False(PasswordHasher.Verify("correct horse battery", "pbkdf2-sha256$1000$!!!$???"));
        Assert.False(PasswordHasher.Verify("x", null));
        Assert.NotEqual(hash, PasswordHasher.Hash("correct horse battery", 1_000)); // salted
        Assert.DoesNotContain("correct", hash, StringComparison.Ordinal);
        Assert.StartsWith($"pbkdf2-sha256${PasswordHasher.Iterations}$", PasswordHasher.Hash("p"), StringComparison.Ordinal);
        Assert.True(PasswordHasher.Iterations >= 600_000);
    }

    [Fact]
    public void ApiToken_MatchesOnlyItself()
    {
        var (token, record) = ApiTokens.Create(DateTimeOffset.UnixEpoch, null);
        Assert.StartsWith(ApiTokens.Prefix, token, StringComparison.Ordinal);
        Assert.Equal(record.Id, ApiTokens.IdOf(token));
        Assert.True(ApiTokens.Matches(token, record));
        Assert.False(ApiTokens.Matches(token[..^1] + (token[^1] == 'a' ? 'b' : 'a'), record));
        Assert.DoesNotContain(token[(ApiTokens.Prefix.Length + 13)..], record.Sha256, StringComparison.Ordinal);
        Assert.Null(ApiTokens.IdOf("eyJhbGciOi.jwt.like"));
    }

    [Fact]
    public async Task AccountStore_ExpiredOrRemovedToken_IsRefused()
    {
        using var dir = new TempDirectory();
        var store = new FileAccountStore(Path.Combine(dir.Path, "accounts.json"));
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var (token, record) = ApiTokens.Create(now, now.AddDays(1));
        await store.UpdateAsync(d =>
        {
            d.Accounts.Add(new AccountRecord { Name = "ops", Role = Roles.Engineer, Tokens = [record] });
            return true;
        }, TestContext.Current.CancellationToken);

        Assert.Equal("ops", store.FindToken(token, now.AddHours(1))?.Account.Name);
        Assert.Null(store.FindToken(token, now.AddDays(2)));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.Path));
        }

        await store.UpdateAsync(d => d.Accounts.RemoveAll(a => a.Name == "ops"), TestContext.Current.CancellationToken);
        Assert.Null(store.FindToken(token, now.AddHours(1)));
    }

    [Fact]
    public void Throttle_LocksAfterTheLimit_AndUnlocksAfterTheDuration()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var throttle = new MemorySignInThrottle(Options.Create(new AuthOptions { MaxFailedSignIns = 3, MaxFailedSignInsPerAddress = 10, LockoutDuration = TimeSpan.FromMinutes(15) }), time);

        Assert.False(throttle.RecordFailure("alice", "10.0.0.1"));
        Assert.False(throttle.RecordFailure("alice", "10.0.0.1"));
        Assert.False(throttle.IsLocked("alice", "10.0.0.1", out _));
        Assert.True(throttle.RecordFailure("alice", "10.0.0.2"));
        Assert.True(throttle.IsLocked("alice", "10.0.0.9", out var until));
        Assert.Equal(time.GetUtcNow().AddMinutes(15), until);
        Assert.False(throttle.IsLocked("bob", "10.0.0.9", out _));

        time.Advance(TimeSpan.FromMinutes(15));
        Assert.False(throttle.IsLocked("alice", "10.0.0.1", out _));
        Assert.False(throttle.RecordFailure("alice", "10.0.0.1")); // a fresh count after the lock ran out

        // Many names from one address lock the address.
        for (var i = 0; i < 9; i++)
        {
            throttle.RecordFailure("user" + i, "10.0.0.66");
        }

        Assert.True(throttle.RecordFailure("user-last", "10.0.0.66"));
        Assert.True(throttle.IsLocked("carol", "10.0.0.66", out _));
    }
}
