using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace EdgeGateway.EndToEnd.Tests.Console;

/// <summary>
/// The web console in a real headless chromium against a real local system (FleetControl, gateways and
/// simulators as processes): what an engineer does, click by click. Each test leaves a screenshot.
/// </summary>
public sealed partial class ConsoleTests(ConsoleSystem fixture) : IClassFixture<ConsoleSystem>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task LogIn_FleetTable_ShowsTheSimulatedFleetOnline()
    {
        var page = await fixture.Browser.NewLoggedInPageAsync(fixture.BaseUrl);
        await ReloadUntilAsync(page, "/console/#/fleet", $"tr[data-device='{ConsoleSystem.Dock}'] td.online");
        await Assertions.Expect(page.Locator($"tr[data-device='{ConsoleSystem.Vehicle}'] td.online")).ToHaveTextAsync("online");
        await Assertions.Expect(page.Locator($"tr[data-device='{ConsoleSystem.Dock}']")).ToContainTextAsync("Dock");

        await page.FillAsync("#filter", "dock");
        await Assertions.Expect(page.Locator("#fleet-count")).ToHaveTextAsync("1");
        await ConsoleBrowser.ScreenshotAsync(page, "fleet");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task DevicePage_DrawsTheTrackOnTheMapAndTheHealthChart()
    {
        var page = await fixture.Browser.NewLoggedInPageAsync(fixture.BaseUrl);
        await ReloadUntilAsync(page, $"/console/#/device/{ConsoleSystem.Vehicle}", "#track-map polyline.track");
        await ReloadUntilAsync(page, $"/console/#/device/{ConsoleSystem.Vehicle}", "#health-chart polyline.backlog");
        await Assertions.Expect(page.Locator("#track-map")).ToHaveAttributeAsync("data-fixes", new Regex("^[1-9][0-9]*$"));
        await Assertions.Expect(page.Locator("#health-chart")).ToHaveAttributeAsync("data-samples", new Regex("^[1-9][0-9]*$"));
        await ConsoleBrowser.ScreenshotAsync(page, "device-track-health");

        await page.GotoAsync("/console/#/map");
        await Assertions.Expect(page.Locator($"#fleet-map a[data-device='{ConsoleSystem.Vehicle}'] circle")).ToHaveCountAsync(1);
        await ConsoleBrowser.ScreenshotAsync(page, "fleet-map");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task SendCommand_PingAndRescanBays_SeenToSucceed()
    {
        var page = await fixture.Browser.NewLoggedInPageAsync(fixture.BaseUrl);
        await ReloadUntilAsync(page, $"/console/#/device/{ConsoleSystem.Vehicle}", "#send-command");
        await page.SelectOptionAsync("#command-type", "ping");
        await page.ClickAsync("#send-command");
        await Assertions.Expect(page.Locator("#command-status")).ToHaveTextAsync(new Regex("ping: succeeded"));
        await ConsoleBrowser.ScreenshotAsync(page, "command-ping");

        await page.GotoAsync($"/console/#/device/{ConsoleSystem.Dock}");
        // A hash change re-renders the page asynchronously: choose the command only on the dock's page, or the
        // choice is made on the vehicle's page just before it is replaced (and the dock gets its default, ping).
        await Assertions.Expect(page.Locator("h2").First).ToContainTextAsync(ConsoleSystem.Dock);
        await page.SelectOptionAsync("#command-type", "rescan-bays");
        await page.ClickAsync("#send-command");
        await Assertions.Expect(page.Locator("#command-status")).ToHaveTextAsync(new Regex("rescan-bays: succeeded"));
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#commands tbody tr").First).ToContainTextAsync("succeeded");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task SendCommand_ResendRange_AsksForTheLastHour_AndShowsWhatWasResent()
    {
        var page = await fixture.Browser.NewLoggedInPageAsync(fixture.BaseUrl);
        await ReloadUntilAsync(page, $"/console/#/device/{ConsoleSystem.Vehicle}", "#send-command");
        await page.SelectOptionAsync("#command-type", "resend-range");

        var request = await page.RunAndWaitForRequestAsync(() => page.ClickAsync("#send-command"),
            r => r.Method == "POST" && r.Url.EndsWith($"/api/devices/{ConsoleSystem.Vehicle}/commands", StringComparison.Ordinal));

        using (var body = System.Text.Json.JsonDocument.Parse(request.PostData!))
        {
            Assert.Equal("resend-range", body.RootElement.GetProperty("type").GetString());
            var from = body.RootElement.GetProperty("from").GetDateTimeOffset();
            var to = body.RootElement.GetProperty("to").GetDateTimeOffset();
            Assert.InRange((to - from).TotalMinutes, 59.9, 60.1); // two clock readings in the page, one hour apart
        }

        // The vehicle has been delivering since the fixture started: its retained copies of the hour go again.
        var status = page.Locator("#command-status");
        await Assertions.Expect(status).ToHaveTextAsync(new Regex(@"resend-range: succeeded\s+\([0-9]+ resent, coverage \S+"));
        var resent = int.Parse(Regex.Match(await status.TextContentAsync() ?? string.Empty, @"\(([0-9]+) resent").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(resent > 0, $"something was resent: {await status.TextContentAsync()}");
        await ConsoleBrowser.ScreenshotAsync(page, "command-resend-range");
        await page.ReloadAsync();
        // (The history also holds the hotlist updates FleetControl sends the vehicle.)
        await Assertions.Expect(page.Locator("#commands tbody tr:has-text('resend-range')").First).ToContainTextAsync("succeeded");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task SendCommand_CollectDiagnostics_BundleUploadedOverGrpc_DownloadLinkServesTheZip()
    {
        var page = await fixture.Browser.NewLoggedInPageAsync(fixture.BaseUrl);
        await ReloadUntilAsync(page, $"/console/#/device/{ConsoleSystem.Vehicle}", "#send-command");
        await page.SelectOptionAsync("#command-type", "collect-diagnostics");
        await page.ClickAsync("#send-command");
        await Assertions.Expect(page.Locator("#command-status")).ToHaveTextAsync(new Regex("collect-diagnostics: succeeded"));
        var sha = await page.Locator("#command-status code").TextContentAsync();
        await ConsoleBrowser.ScreenshotAsync(page, "command-diagnostics");

        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#diagnostics-link"));
        var saved = Path.Combine(ConsoleBrowser.ScreenshotDirectory, "diagnostics-" + ConsoleSystem.Vehicle + ".zip");
        await download.SaveAsAsync(saved);
        var bytes = await File.ReadAllBytesAsync(saved, TestContext.Current.CancellationToken);
        Assert.Equal(sha, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)));
        using (var zip = new System.IO.Compression.ZipArchive(new MemoryStream(bytes)))
        {
            Assert.NotNull(zip.GetEntry("logs.txt"));
        }

        // Listed on the device page with the same hash.
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#diagnostics tbody tr").First).ToContainTextAsync(sha!);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Rollout_DockRejectsIt_RolloutStopsAndTheDockKeepsItsVersion()
    {
        var page = await fixture.Browser.NewLoggedInPageAsync(fixture.BaseUrl);
        // Run first, the fixture's devices may not have registered yet ("unknown device(s)"): wait for both.
        await ReloadUntilAsync(page, "/console/#/fleet", $"tr[data-device='{ConsoleSystem.Dock}'] td.online");
        await ReloadUntilAsync(page, "/console/#/fleet", $"tr[data-device='{ConsoleSystem.Vehicle}'] td.online");
        await page.GotoAsync("/console/#/rollouts");
        // Valid for a vehicle (it runs no dock, so nothing to restart); the dock's own validator refuses it.
        await page.FillAsync("#rollout-json", """{"Dock":{"Bays":0}}""");
        await page.FillAsync("#rollout-devices", $"{ConsoleSystem.Vehicle}, {ConsoleSystem.Dock}");
        await page.FillAsync("#rollout-first", "1");
        await page.ClickAsync("#start-rollout");
        var row = page.Locator("#rollouts tbody tr").First;
        await Assertions.Expect(row.Locator(".rollout-state")).ToHaveTextAsync("stopped", new() { Timeout = (float)Patience.TotalMilliseconds });
        await Assertions.Expect(row.Locator(".rollout-reason")).ToContainTextAsync($"{ConsoleSystem.Dock}: Failed");
        await Assertions.Expect(row.Locator(".rollout-reason")).ToContainTextAsync("Dock:Bays must be between 1 and 64");
        await ConsoleBrowser.ScreenshotAsync(page, "rollout-stopped");

        await page.GotoAsync($"/console/#/device/{ConsoleSystem.Dock}");
        await Assertions.Expect(page.Locator("#config-versions")).ToContainTextAsync("reported v0");
        await Assertions.Expect(page.Locator("#config-versions")).ToContainTextAsync("rejected");
        await page.GotoAsync($"/console/#/device/{ConsoleSystem.Vehicle}");
        await Assertions.Expect(page.Locator("#config-versions")).ToContainTextAsync("applied");
        Assert.False(File.Exists(Path.Combine(fixture.System.Directory, ConsoleSystem.Dock, "data", "desired-config.json")), "the dock wrote nothing");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task DockPage_ShowsTransferProgress_EvidenceVerifies_DamagedCopyRaisesAnAlert()
    {
        var page = await fixture.Browser.NewLoggedInPageAsync(fixture.BaseUrl);
        await ReloadUntilAsync(page, $"/console/#/device/{ConsoleSystem.Dock}", "#bays .bar");
        await Assertions.Expect(page.Locator("#bays tr").First).ToContainTextAsync("MB/s");
        await ConsoleBrowser.ScreenshotAsync(page, "dock-bays");

        await ReloadUntilAsync(page, "/console/#/evidence", "#evidence a");
        await page.Locator("#evidence a").First.ClickAsync();
        await page.ClickAsync("#verify");
        await Assertions.Expect(page.Locator("#verify-result")).ToHaveTextAsync(new Regex("^verified"), new() { Timeout = (float)Patience.TotalMilliseconds });
        await ConsoleBrowser.ScreenshotAsync(page, "evidence-verified");

        // The stored copy is damaged: verifying again fails, and the failure raises an alert.
        var evidenceId = Uri.UnescapeDataString(page.Url[(page.Url.LastIndexOf('/') + 1)..]);
        var stored = Directory.GetFiles(fixture.System.Fleet.VaultDirectory, evidenceId + "*")
            .Single(f => !f.EndsWith(".json", StringComparison.Ordinal) && !f.EndsWith(".jsonl", StringComparison.Ordinal) && !f.EndsWith(".partial", StringComparison.Ordinal));
        await using (var file = new FileStream(stored, FileMode.Open, FileAccess.Write))
        {
            file.Seek(0, SeekOrigin.End);
            file.WriteByte(0x42);
        }

        await page.ClickAsync("#verify");
        await Assertions.Expect(page.Locator("#verify-result")).ToHaveTextAsync(new Regex("^FAILED"), new() { Timeout = (float)Patience.TotalMilliseconds });
        await page.GotoAsync("/console/#/alerts");
        await Assertions.Expect(page.Locator($"#alerts tbody tr[data-alert='evidence-verification:{evidenceId}']")).ToContainTextAsync("failed verification");
        await ConsoleBrowser.ScreenshotAsync(page, "evidence-alert");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Alerts_DeviceGoesOffline_AlertAppearsLiveWithoutReload()
    {
        var page = await fixture.Browser.NewLoggedInPageAsync(fixture.BaseUrl);
        await ReloadUntilAsync(page, "/console/#/fleet", $"tr[data-device='{ConsoleSystem.Doomed}'] td.online");
        await page.GotoAsync("/console/#/alerts");
        await Assertions.Expect(page.Locator("#alerts")).ToBeVisibleAsync();
        // A slow start-up may have raised (and resolved) one already: none may be active now.
        var active = page.Locator($"#alerts tbody tr:has-text('{ConsoleSystem.Doomed}'):has-text('active')");
        await Assertions.Expect(active).ToHaveCountAsync(0, new() { Timeout = (float)Patience.TotalMilliseconds });

        await fixture.DoomedGateway.KillAsync();

        // No reload from here: the row arrives over server-sent events.
        var row = active.First;
        await Assertions.Expect(row).ToBeVisibleAsync(new() { Timeout = (float)Patience.TotalMilliseconds });
        await Assertions.Expect(row).ToContainTextAsync("not seen for");
        await Assertions.Expect(page.Locator("#alert-count")).ToHaveTextAsync(new Regex(@"^\(\d+\)$"));
        await ConsoleBrowser.ScreenshotAsync(page, "alert-live");

        var ack = await page.RunAndWaitForResponseAsync(() => row.Locator("button[data-ack]").ClickAsync(), r => r.Url.Contains("/ack", StringComparison.Ordinal));
        Assert.True(ack.Ok, $"acknowledge answered {ack.Status}: {await ack.TextAsync()}");
        await Assertions.Expect(page.Locator($"#alerts tbody tr:has-text('{ConsoleSystem.Doomed}')").First).ToContainTextAsync(Simulators.LocalSystem.FleetControlNode.AdminAccount);
        await page.Context.CloseAsync();
    }

    /// <summary>Opens <paramref name="url"/> again until <paramref name="selector"/> is on the page (data the system has yet to produce).</summary>
    private static Task ReloadUntilAsync(IPage page, string url, string selector) =>
        Eventually.UntilAsync(
            async () =>
            {
                await page.GotoAsync("about:blank");
                await page.GotoAsync(url);
                try
                {
                    await page.Locator(selector).First.WaitForAsync(new() { Timeout = 3000, State = WaitForSelectorState.Attached });
                    return true;
                }
                catch (Exception e) when (e is System.TimeoutException or PlaywrightException)
                {
                    return false;
                }
            },
            $"{selector} appears on {url}",
            Patience);
}
