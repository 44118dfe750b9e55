using System.Net;
using System.Text.Json;
using FleetControl.Auth;
using FleetControl.Tests.Infrastructure;

namespace FleetControl.Tests.WebConsole;

/// <summary>The console's pages need a signed-in account; sign-ins are throttled and audited.</summary>
public sealed class ConsoleLoginTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private FleetControlInstance _fleet = null!;

    public async ValueTask InitializeAsync() => _fleet = await FleetControlInstance.StartAsync(_data.Path, FreePort.Next(), "--Auth:MaxFailedSignIns=3");

    public async ValueTask DisposeAsync()
    {
        await _fleet.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task Pages_NeedTheLogin_AndAWrongPasswordIsRefused()
    {
        var ct = TestContext.Current.CancellationToken;
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() };
        using var browser = new HttpClient(handler) { BaseAddress = _fleet.RestUri, Timeout = Eventually.DefaultTimeout };

        var anonymous = await browser.GetAsync("/console/", ct);
        Assert.Equal(HttpStatusCode.Redirect, anonymous.StatusCode);
        Assert.Contains("/console/login", anonymous.Headers.Location?.OriginalString, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/devices", ct)).StatusCode);

        var wrong = await SignInAsync(browser, TestAccounts.Administrator, "wrong-horse-battery");
        Assert.Equal("/console/login?failed=1", wrong.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/console/", ct)).StatusCode);

        // An account without a password (tokens only) cannot sign in to the console.
        Assert.Equal("/console/login?failed=1", (await SignInAsync(browser, TestAccounts.NameFor(Roles.Viewer), string.Empty)).Headers.Location?.OriginalString);

        var right = await SignInAsync(browser, TestAccounts.Administrator, TestAccounts.ConsolePassword);
        Assert.Equal("/console/", right.Headers.Location?.OriginalString);
        var page = await browser.GetAsync("/console/", ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("/console/app.js", await page.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        var script = await browser.GetStringAsync("/console/app.js", ct);
        Assert.Contains("EventSource('/api/alerts/stream')", script, StringComparison.Ordinal);
        Assert.DoesNotContain("http", script.Replace("content-type", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal); // no CDN or remote URL

        // The session cookie also carries the account's role to the API the pages call.
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/devices", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/audit", ct)).StatusCode);

        var audit = await _fleet.GetJsonAsync("/api/audit?action=signin.");
        var outcomes = audit.EnumerateArray().Select(r => r.GetProperty("action").GetString() + ":" + r.GetProperty("actor").GetString()).Reverse().ToList();
        Assert.Equal(
            [
                $"signin.failed:{TestAccounts.Administrator}",
                $"signin.failed:{TestAccounts.NameFor(Roles.Viewer)}",
                $"signin.succeeded:{TestAccounts.Administrator}",
            ],
            outcomes);
        Assert.DoesNotContain(TestAccounts.ConsolePassword, File.ReadAllText(Path.Combine(_data.Path, "audit.jsonl")), StringComparison.Ordinal);

        // A new password (here written straight to the accounts file, as the accounts command does) ends the session.
        await new FileAccountStore(Path.Combine(_data.Path, "accounts.json")).UpdateAsync(
            d => d.Accounts.Find(a => a.Name == TestAccounts.Administrator)!.PasswordHash = PasswordHasher.Hash("a-brand-new-password", 1_000), ct);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/devices", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/console/", ct)).StatusCode);
        Assert.DoesNotContain(_fleet.Logs.Entries, e => e.Contains(TestAccounts.ConsolePassword, StringComparison.Ordinal) || e.Contains("wrong-horse-battery", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RepeatedFailures_LockTheAccount_EvenForTheRightPassword()
    {
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() };
        using var browser = new HttpClient(handler) { BaseAddress = _fleet.RestUri, Timeout = Eventually.DefaultTimeout };
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("/console/login?failed=1", (await SignInAsync(browser, TestAccounts.Administrator, "guess-" + i)).Headers.Location?.OriginalString);
        }

        var locked = await SignInAsync(browser, TestAccounts.Administrator, TestAccounts.ConsolePassword);
        Assert.Equal("/console/login?failed=1", locked.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/console/", TestContext.Current.CancellationToken)).StatusCode);

        var last = (await _fleet.GetJsonAsync("/api/audit?action=signin.&limit=1"))[0];
        Assert.Equal("signin.refused", last.GetProperty("action").GetString());
        Assert.Equal("locked", last.GetProperty("outcome").GetString());
    }

    private static Task<HttpResponseMessage> SignInAsync(HttpClient browser, string user, string password) =>
        browser.PostAsync(
            "/console/login",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["user"] = user, ["password"] = password }),
            TestContext.Current.CancellationToken);
}
