using System.Net;
using FleetControl.Tests.Infrastructure;
using FleetControl.WebConsole;

namespace FleetControl.Tests.WebConsole;

/// <summary>The console's pages need the login; its assets are served from the assembly.</summary>
public sealed class ConsoleLoginTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private FleetControlInstance _fleet = null!;

    public async ValueTask InitializeAsync() => _fleet = await FleetControlInstance.StartAsync(
        _data.Path, FreePort.Next(), "--Console:User=alice", $"--Console:PasswordHash={ConsolePassword.Hash("correct horse")}");

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

        var wrong = await browser.PostAsync("/console/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["user"] = "alice", ["password"] = "wrong" }), ct);
        Assert.Equal("/console/login?failed=1", wrong.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/console/", ct)).StatusCode);

        var right = await browser.PostAsync("/console/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["user"] = "alice", ["password"] = "correct horse" }), ct);
        Assert.Equal("/console/", right.Headers.Location?.OriginalString);
        var page = await browser.GetAsync("/console/", ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("/console/app.js", await page.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        var script = await browser.GetStringAsync("/console/app.js", ct);
        Assert.Contains("EventSource('/api/alerts/stream')", script, StringComparison.Ordinal);
        Assert.DoesNotContain("http", script.Replace("content-type", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal); // no CDN or remote URL
    }

    [Fact]
    public void PasswordHash_VerifiesOnlyTheRightPassword()
    {
        var hash = ConsolePassword.Hash("s3cret");
        Assert.True(ConsolePassword.Verify("s3cret", hash));
        Assert.False(ConsolePassword.Verify("s3cret ", hash));
        Assert.False(ConsolePassword.Verify("s3cret", "not-a-hash"));
    }
}
