using System.Net;
using System.Net.Http.Json;
using FleetControl.Auth;
using FleetControl.Tests.Infrastructure;

namespace FleetControl.Tests.Auth;

/// <summary><c>FleetControl accounts ...</c> against a running server: changes apply at once and are audited.</summary>
public sealed class AccountsCommandTests : IAsyncLifetime
{
    private const string Password = "alice-long-secret-42";
    private readonly TempDirectory _data = new();
    private FleetControlInstance _fleet = null!;

    public async ValueTask InitializeAsync() => _fleet = await FleetControlInstance.StartAsync(_data.Path, FreePort.Next());

    public async ValueTask DisposeAsync()
    {
        await _fleet.DisposeAsync();
        _data.Dispose();
    }

    private async Task<(int Code, string Out, string Err)> RunAsync(string area, string stdin, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await AccountsCommand.RunAsync(area, [.. args, $"--FleetControl:DataDirectory={_data.Path}"], new StringReader(stdin), output, error, TestContext.Current.CancellationToken)
            .WaitAsync(Eventually.DefaultTimeout, TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task AddTokenRoleRemove_ApplyToTheRunningServer()
    {
        var ct = TestContext.Current.CancellationToken;
        var added = await RunAsync("accounts", Password + "\n", "add", "alice", "--role", "engineer");
        Assert.Equal(0, added.Code);

        // The password is stored only as a salted PBKDF2 hash, and is neither printed nor logged.
        var file = await File.ReadAllTextAsync(Path.Combine(_data.Path, "accounts.json"), ct);
        Assert.DoesNotContain(Password, file, StringComparison.Ordinal);
        var alice = new FileAccountStore(Path.Combine(_data.Path, "accounts.json")).Find("alice")!;
        Assert.StartsWith($"pbkdf2-sha256${PasswordHasher.Iterations}$", alice.PasswordHash, StringComparison.Ordinal);
        Assert.True(PasswordHasher.Verify(Password, alice.PasswordHash));
        Assert.DoesNotContain(Password, added.Out + added.Err, StringComparison.Ordinal);

        var issued = await RunAsync("accounts", string.Empty, "token", "alice");
        Assert.Equal(0, issued.Code);
        var token = issued.Out.Trim();
        Assert.DoesNotContain(token, await File.ReadAllTextAsync(Path.Combine(_data.Path, "accounts.json"), ct), StringComparison.Ordinal);

        using var client = BearerHttpClient.Create(_fleet.RestUri, token);
        Assert.NotEqual(HttpStatusCode.Forbidden, (await client.PostAsJsonAsync("/api/devices/car-1/commands", new { type = "ping" }, ct)).StatusCode);

        Assert.Equal(0, (await RunAsync("accounts", string.Empty, "set-role", "alice", "--role", "viewer")).Code);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsJsonAsync("/api/devices/car-1/commands", new { type = "ping" }, ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/devices", ct)).StatusCode);

        Assert.Equal(0, (await RunAsync("accounts", string.Empty, "remove", "alice")).Code);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/devices", ct)).StatusCode);

        var audit = await _fleet.GetJsonAsync("/api/audit?action=");
        var actions = audit.EnumerateArray().Select(r => r.GetProperty("action").GetString() + ":" + r.GetProperty("target").GetString()).Reverse().ToList();
        Assert.Equal(["account.added:alice", "token.issued:alice", "account.role-changed:alice", "account.removed:alice"], actions);
        Assert.DoesNotContain(_fleet.Logs.Entries, e => e.Contains(Password, StringComparison.Ordinal) || e.Contains(token, StringComparison.Ordinal));

        var verified = await RunAsync("audit", string.Empty, "verify");
        Assert.Equal(0, verified.Code);
        Assert.Contains("OK: 4 audit record(s)", verified.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadInput_IsRefusedClearly_AndChangesNothing()
    {
        var shortPassword = await RunAsync("accounts", "short\n", "add", "bob", "--role", "viewer");
        var badRole = await RunAsync("accounts", Password + "\n", "add", "bob", "--role", "superuser");
        var badName = await RunAsync("accounts", Password + "\n", "add", "bob smith", "--role", "viewer");
        var duplicate = await RunAsync("accounts", Password + "\n", "add", TestAccounts.Administrator, "--role", "viewer");
        var unknown = await RunAsync("accounts", string.Empty, "remove", "nobody");
        var usage = await RunAsync("accounts", string.Empty, "frobnicate");

        Assert.Equal((1, true), (shortPassword.Code, shortPassword.Err.Contains("at least 12", StringComparison.Ordinal)));
        Assert.Equal((1, true), (badRole.Code, badRole.Err.Contains("--role must be one of", StringComparison.Ordinal)));
        Assert.Equal(1, badName.Code);
        Assert.Equal((2, true), (duplicate.Code, duplicate.Err.Contains("already exists", StringComparison.Ordinal)));
        Assert.Equal(2, unknown.Code);
        Assert.Equal(1, usage.Code);
        Assert.Equal(4, new FileAccountStore(Path.Combine(_data.Path, "accounts.json")).List().Count);
    }
}
