using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using EdgeGateway.Simulators.LocalSystem;
using Microsoft.Playwright;

namespace EdgeGateway.EndToEnd.Tests.Console;

/// <summary>The console's ANPR page (issue 12) against the shared local system: the simulated camera posts to the vehicle's gateway.</summary>
public sealed partial class ConsoleTests
{
    [Fact]
    public async Task AnprPage_HitWithItsEntryAndAlert_Acknowledged_ReadsSearchedByVrm_EvidenceShowsHashesAndCustody()
    {
        var ct = TestContext.Current.CancellationToken;
        var fleet = fixture.System.Fleet.Http; // administrator: may read ANPR and acknowledge alerts

        // The vehicle holds the hotlist, then its camera reads two ordinary plates and the stolen one.
        await Eventually.UntilAsync(async () =>
        {
            var hotlist = await fleet.GetFromJsonAsync<JsonElement>("/api/anpr/hotlist", ct);
            return hotlist.GetProperty("devices").EnumerateArray().Any(d => d.GetProperty("deviceId").GetString() == ConsoleSystem.Vehicle && d.GetProperty("upToDate").GetBoolean());
        }, "the vehicle holds the current hotlist", Patience);
        var hotlistCsv = Path.Combine(fixture.System.Directory, "anpr-ui-hotlist.csv");
        await File.WriteAllTextAsync(hotlistCsv, $"vrm,list,reason,markers\n{ConsoleSystem.HotVrm},stolen,x,\n", ct);
        await RunCameraAsync(["--count", "2", "--seed", "11", "--rate", "5", "--hit-rate", "0"], ct);
        await RunCameraAsync(["--count", "1", "--hotlist", hotlistCsv, "--hit-rate", "1", "--rate", "5"], ct);

        // At FleetControl: the hit, and every read of the vehicle with both images verified.
        JsonElement hit = default;
        await Eventually.UntilAsync(async () =>
        {
            var hits = await fleet.GetFromJsonAsync<JsonElement>("/api/anpr/hits", ct);
            hit = hits.EnumerateArray().FirstOrDefault(h => h.GetProperty("deviceId").GetString() == ConsoleSystem.Vehicle);
            return hit.ValueKind == JsonValueKind.Object && hit.GetProperty("alert").ValueKind == JsonValueKind.Object;
        }, "the hit and its alert at FleetControl", Patience);
        var readVrm = hit.GetProperty("vrm").GetString()!;
        var readId = hit.GetProperty("readId").GetString()!;
        JsonElement read = default;
        await Eventually.UntilAsync(async () =>
        {
            var reads = await fleet.GetFromJsonAsync<JsonElement>($"/api/anpr/reads?vrm={Uri.EscapeDataString(readVrm)}", ct);
            read = reads.GetProperty("reads").EnumerateArray().FirstOrDefault(r => r.GetProperty("readId").GetString() == readId);
            return read.ValueKind == JsonValueKind.Object && read.GetProperty("images").EnumerateArray().All(i => i.GetProperty("stored").GetString() == "verified");
        }, "the hit's read with verified images", Patience);

        var page = await fixture.Browser.NewLoggedInPageAsync(fixture.BaseUrl);
        await ReloadUntilAsync(page, "/console/#/anpr", $"#anpr-hits tr[data-read='{readId}']");
        var row = page.Locator($"#anpr-hits tr[data-read='{readId}']");
        await Assertions.Expect(row.Locator(".entry")).ToHaveTextAsync("AB12CDE");
        await Assertions.Expect(row).ToContainTextAsync("Stolen from Hertford");
        await Assertions.Expect(row.Locator(".markers")).ToHaveTextAsync("violent");
        await Assertions.Expect(row.Locator(".current")).ToHaveTextAsync("yes: stolen");
        await Assertions.Expect(row.Locator(".alert-state")).ToContainTextAsync("active");
        await ConsoleBrowser.ScreenshotAsync(page, "anpr-hits");

        await row.Locator("button[data-ack-alert]").ClickAsync();
        await Assertions.Expect(page.Locator($"#anpr-hits tr[data-read='{readId}'] .alert-state")).ToHaveTextAsync($"active, acknowledged by {FleetControlNode.AdminAccount}");
        var alert = await fleet.GetFromJsonAsync<JsonElement>($"/api/alerts/{Uri.EscapeDataString(hit.GetProperty("alert").GetProperty("alertId").GetString()!)}", ct);
        Assert.Equal(FleetControlNode.AdminAccount, alert.GetProperty("acknowledgedBy").GetString());

        // Search by VRM as typed by an officer (case and spaces do not matter): only that plate's reads.
        await page.FillAsync("#anpr-vrm", readVrm.ToLowerInvariant());
        await page.ClickAsync("#anpr-search");
        var readRow = page.Locator($"#anpr-reads tr[data-read='{readId}']");
        await Assertions.Expect(readRow).ToBeVisibleAsync();
        var normalised = Regex.Replace(readVrm, @"\s", string.Empty).ToUpperInvariant();
        foreach (var vrm in await page.Locator("#anpr-reads td.vrm").AllTextContentsAsync())
        {
            Assert.Equal(normalised, Regex.Replace(vrm, @"\s", string.Empty).ToUpperInvariant());
        }

        // The read's evidence: the capture hashes as stored, FleetControl's verdict, the images themselves and the custody steps.
        await readRow.Locator("button[data-evidence]").ClickAsync();
        var evidence = page.Locator($"tr[data-evidence-of='{readId}']");
        await Assertions.Expect(evidence).ToBeVisibleAsync();
        foreach (var image in read.GetProperty("images").EnumerateArray())
        {
            var figure = evidence.Locator($"figure[data-image='{image.GetProperty("kind").GetString()}']");
            await Assertions.Expect(figure.Locator("code.sha256")).ToHaveTextAsync(image.GetProperty("sha256").GetString()!);
            await Assertions.Expect(figure.Locator(".image-verified")).ToContainTextAsync("SHA-256 matches the capture hash");
        }

        await page.WaitForFunctionAsync(
            $"() => [...document.querySelectorAll(\"tr[data-evidence-of='{readId}'] img\")].every(i => i.complete && i.naturalWidth > 0)",
            null, new() { Timeout = (float)Patience.TotalMilliseconds });
        var custody = evidence.Locator("ol.custody li");
        await Assertions.Expect(custody).ToHaveCountAsync(3);
        await Assertions.Expect(custody.Nth(1)).ToContainTextAsync($"received by gateway {ConsoleSystem.Vehicle}");
        await Assertions.Expect(custody.Nth(2)).ToContainTextAsync($"stored at FleetControl: message {read.GetProperty("messageId").GetString()}");
        await ConsoleBrowser.ScreenshotAsync(page, "anpr-read-evidence");
        await page.Context.CloseAsync();
    }

    /// <summary>The ANPR camera simulator posting to the vehicle's gateway until it has sent its reads.</summary>
    private async Task RunCameraAsync(string[] options, CancellationToken ct)
    {
        await using var camera = ManagedProcess.Start("anpr-camera", SystemUnderTest.Outputs.Simulators,
            ["anpr", "--target", $"http://127.0.0.1:{fixture.AnprPort}", "--work", Path.Combine(fixture.System.Directory, "anpr-ui-camera"), .. options], null,
            Path.Combine(fixture.System.Directory, $"anpr-ui-camera-{Guid.NewGuid():N}.log"));
        await camera.WaitForExitAsync(ct).WaitAsync(Patience, ct);
        Assert.Equal(0, camera.ExitCode);
    }
}
