using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using EdgeGateway.Simulators.LocalSystem;
using EdgeGateway.Testing;

namespace EdgeGateway.EndToEnd.Tests;

/// <summary>
/// ANPR end to end with real processes: a hotlist posted to FleetControl reaches the vehicle gateway over the command
/// channel; the camera simulator posts reads with real JPEGs; a hotlist hit reaches the in-car event stream and
/// FleetControl exactly once, also across a SIGKILL of the gateway; every read is stored with verified images.
/// </summary>
public sealed class AnprTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task CameraToFleetControl_HitOnTheInCarStreamAndAtControl_ExactlyOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var system = await SystemUnderTest.StartAsync();
        using (var posted = await system.Fleet.Http.PostAsJsonAsync("/api/anpr/hotlist", new
        {
            upserts = new object[]
            {
                new { vrm = "AB12 CDE", list = "stolen", reason = "Stolen from Hertford", markers = new[] { "violent" } },
                new { vrm = "XY05 ZZZ", list = "no-insurance", reason = "No insurance" },
            },
        }, ct))
        {
            posted.EnsureSuccessStatusCode();
        }

        var port = FreePort.Next();
        var (gateway, _) = await system.StartVehicleAsync("car-anpr", rate: 2, settings: new Dictionary<string, string>
        {
            ["Anpr:Enabled"] = "true",
            ["Anpr:Port"] = port.ToString(CultureInfo.InvariantCulture),
        });

        // The vehicle reports version 0, FleetControl sends the snapshot, the vehicle holds version 1.
        await Eventually.UntilAsync(async () => await HeldVersionAsync(system, "car-anpr", ct) == 1, "the vehicle holds hotlist version 1", Patience);

        using var terminal = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = Timeout.InfiniteTimeSpan };
        using var events = new StreamReader(await terminal.GetStreamAsync("/anpr/events", ct));
        Assert.Equal(": connected", await events.ReadLineAsync(ct).AsTask().WaitAsync(Patience, ct));

        var hotlistCsv = Path.Combine(system.Directory, "hit.csv");
        await File.WriteAllTextAsync(hotlistCsv, "vrm,list,reason,markers\nAB12 CDE,stolen,x,\n", ct);
        await RunCameraAsync(system, port, ["--count", "3", "--seed", "4", "--rate", "5"], ct);                            // ordinary reads
        await RunCameraAsync(system, port, ["--count", "2", "--hotlist", hotlistCsv, "--hit-rate", "1", "--rate", "5"], ct); // the same stolen car twice

        string? data = null;
        while (data is null)
        {
            var line = await events.ReadLineAsync(ct).AsTask().WaitAsync(Patience, ct);
            data = line?.StartsWith("data: ", StringComparison.Ordinal) == true ? line["data: ".Length..] : null;
        }

        var hit = JsonDocument.Parse(data).RootElement;
        Assert.Equal("AB12CDE", hit.GetProperty("entryVrm").GetString());
        Assert.Equal("Stolen from Hertford", hit.GetProperty("reason").GetString());
        Assert.Equal(1, hit.GetProperty("hotlistVersion").GetInt64());

        // Every read stored at FleetControl with both images verified; one hit, one suppressed.
        var officer = system.Fleet.Http; // administrator
        await Eventually.UntilAsync(async () =>
        {
            var reads = await officer.GetFromJsonAsync<JsonElement>("/api/anpr/reads?deviceId=car-anpr", ct);
            return reads.GetProperty("count").GetInt32() == 5
                && reads.GetProperty("reads").EnumerateArray().All(r => r.GetProperty("images").EnumerateArray().All(i => i.GetProperty("stored").GetString() == "verified"));
        }, "five reads with verified images at FleetControl", Patience);
        var status = await terminal.GetFromJsonAsync<JsonElement>("/anpr/status", ct);
        Assert.Equal(1, status.GetProperty("hits").GetInt64());
        Assert.Equal(1, status.GetProperty("hitsSuppressed").GetInt64());
        await Eventually.UntilAsync(async () => (await officer.GetFromJsonAsync<JsonElement>("/api/anpr/hits", ct)).GetArrayLength() == 1, "the hit at FleetControl", Patience);

        // A power cut and a restart: nothing delivered twice, the hotlist survives on the vehicle's disk.
        await gateway.KillAsync();
        gateway.Start();
        await gateway.Process.WaitForOutputAsync(l => l.Contains("hotlist version 1 with 2 entries", StringComparison.Ordinal), Patience, ct);
        var hits = await officer.GetFromJsonAsync<JsonElement>("/api/anpr/hits", ct);
        Assert.Equal(1, hits.GetArrayLength());
        Assert.Equal("AB12 CDE", hits[0].GetProperty("vrm").GetString());
        Assert.Equal(5, (await officer.GetFromJsonAsync<JsonElement>("/api/anpr/reads?deviceId=car-anpr", ct)).GetProperty("count").GetInt32());
        var alerts = await officer.GetFromJsonAsync<JsonElement>("/api/alerts?limit=200", ct);
        Assert.Single(alerts.EnumerateArray(), a => a.GetProperty("message").GetString()!.Contains("ANPR hit AB12 CDE", StringComparison.Ordinal));
    }

    private static async Task<long?> HeldVersionAsync(SystemUnderTest system, string deviceId, CancellationToken ct)
    {
        var hotlist = await system.Fleet.GetJsonAsync("/api/anpr/hotlist", ct);
        return hotlist.GetProperty("devices").EnumerateArray().FirstOrDefault(d => d.GetProperty("deviceId").GetString() == deviceId) is { ValueKind: JsonValueKind.Object } d
            ? d.GetProperty("version").GetInt64()
            : null;
    }

    private static async Task RunCameraAsync(SystemUnderTest system, int port, string[] options, CancellationToken ct)
    {
        await using var camera = ManagedProcess.Start("anpr-camera", SystemUnderTest.Outputs.Simulators,
            ["anpr", "--target", $"http://127.0.0.1:{port}", "--work", Path.Combine(system.Directory, "camera"), .. options], null,
            Path.Combine(system.Directory, $"camera-{Guid.NewGuid():N}.log"));
        await camera.WaitForExitAsync(ct).WaitAsync(Patience, ct);
        Assert.Equal(0, camera.ExitCode);
        Assert.DoesNotContain("\"status\":0", camera.RecentOutput(), StringComparison.Ordinal);
    }
}
