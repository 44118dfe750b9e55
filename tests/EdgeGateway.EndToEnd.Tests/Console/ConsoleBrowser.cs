using Microsoft.Playwright;

namespace EdgeGateway.EndToEnd.Tests.Console;

/// <summary>
/// Debian's chromium (<c>apt-get install chromium</c>, done by eng/install-prerequisites.sh) driven by
/// Playwright for .NET: Playwright's own browser download does not work here and is never attempted.
/// Screenshots go to <see cref="ScreenshotDirectory"/> and are kept as test artefacts.
/// </summary>
internal sealed class ConsoleBrowser : IAsyncDisposable
{
    /// <summary>The system browser.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private readonly string _user;
    private readonly string _password;

    private ConsoleBrowser(IPlaywright playwright, IBrowser browser, string user, string password)
    {
        _playwright = playwright;
        _browser = browser;
        _user = user;
        _password = password;
    }

    /// <summary>Where screenshots are kept (beside the test assembly, so CI can collect the folder).</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "console-screenshots");

    /// <summary>Starts chromium; pages sign in as <paramref name="user"/> with the password kept in <paramref name="passwordFile"/>.</summary>
    public static async Task<ConsoleBrowser> LaunchAsync(string user, string passwordFile)
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: run eng/install-prerequisites.sh (apt-get install chromium).");
        }

        // Expectations wait as long as page actions do: a command's result depends on a gateway on a busy machine.
        Assertions.SetDefaultExpectTimeout(60_000);
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-dev-shm-usage"],
            Timeout = 60_000,
        });
        return new ConsoleBrowser(playwright, browser, user, (await File.ReadAllTextAsync(passwordFile)).Trim());
    }

    /// <summary>A fresh page (own cookies) on FleetControl at <paramref name="baseUrl"/>, logged in to the console.</summary>
    public async Task<IPage> NewLoggedInPageAsync(string baseUrl)
    {
        // The console is served over TLS with a certificate from FleetControl's own CA, which this throwaway
        // browser profile does not know (tests only; the HTTPS tests check the chain with a real client).
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl, ViewportSize = new ViewportSize { Width = 1400, Height = 1000 }, IgnoreHTTPSErrors = baseUrl.StartsWith("https:", StringComparison.Ordinal),
        });
        context.SetDefaultTimeout(60_000);
        var page = await context.NewPageAsync();
        await LogInAsync(page, _user, _password);
        return page;
    }

    /// <summary>Signs in to the console through its sign-in page, as an engineer would.</summary>
    private static async Task LogInAsync(IPage page, string user, string password)
    {
        await page.GotoAsync("/console/");
        await page.FillAsync("#user", user);
        await page.FillAsync("#password", password);
        await page.ClickAsync("#login");
        await Assertions.Expect(page.Locator("#view")).Not.ToBeEmptyAsync();
    }

    /// <summary>Saves a full-page screenshot named <paramref name="name"/>.png.</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
