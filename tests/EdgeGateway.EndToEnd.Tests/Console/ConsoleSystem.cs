using System.Net.Http.Json;
using EdgeGateway.Testing;

namespace EdgeGateway.EndToEnd.Tests.Console;

/// <summary>
/// One local system for the console tests, shared by the class: FleetControl (offline alerts after 5 s),
/// a vehicle reporting health every 2 s with an ANPR listener and a one-entry hotlist, a dock offloading simulated cameras (which keep their recordings), a second vehicle for the
/// offline-alert test, and the system chromium.
/// </summary>
public sealed class ConsoleSystem : IAsyncLifetime
{
    public const string Vehicle = "car-ui";
    public const string Dock = "dock-ui";
    public const string Doomed = "car-gone";

    /// <summary>The plate on the fixture's hotlist (list "stolen", marker "violent").</summary>
    public const string HotVrm = "AB12 CDE";

    /// <summary>Where <see cref="Vehicle"/>'s gateway takes ANPR camera posts.</summary>
    public int AnprPort { get; private set; }

    internal SystemUnderTest System { get; private set; } = null!;

    internal ConsoleBrowser Browser { get; private set; } = null!;

    internal Simulators.LocalSystem.GatewayNode DoomedGateway { get; private set; } = null!;

    public string BaseUrl => System.Fleet.RestUrl;

    public async ValueTask InitializeAsync()
    {
        System = await SystemUnderTest.StartAsync(fleetSettings: new Dictionary<string, string>
        {
            ["Alerts:OfflineAfter"] = "00:00:05",
            ["Alerts:EvaluationInterval"] = "00:00:01",
        });
        // The vehicle has an ANPR listener and a hotlist to match (the ANPR page's hits).
        using (var posted = await System.Fleet.Http.PostAsJsonAsync("/api/anpr/hotlist", new
        {
            upserts = new object[] { new { vrm = HotVrm, list = "stolen", reason = "Stolen from Hertford", markers = new[] { "violent" } } },
        }))
        {
            posted.EnsureSuccessStatusCode();
        }

        AnprPort = FreePort.Next();
        var fast = new Dictionary<string, string>
        {
            ["Health:ReportInterval"] = "00:00:02",
            ["Anpr:Enabled"] = "true",
            ["Anpr:Port"] = AnprPort.ToString(global::System.Globalization.CultureInfo.InvariantCulture),
        };
        await System.StartVehicleAsync(Vehicle, rate: 5, settings: fast);
        (DoomedGateway, _) = await System.StartVehicleAsync(Doomed, rate: 1);
        // Cameras keep their recordings, so they stay docked and their transfers stay on the dock page.
        await System.StartDockAsync(Dock, cameras: 2, recordingsPerCamera: 2, new Dictionary<string, string>
        {
            ["Evidence:CameraPolicy"] = "Keep",
            ["Evidence:UploadBytesPerSecond"] = "8000000",
        });
        Browser = await ConsoleBrowser.LaunchAsync(Simulators.LocalSystem.FleetControlNode.AdminAccount, System.Fleet.AdminPasswordFile);
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        if (System is not null)
        {
            await System.DisposeAsync();
        }
    }
}
