using System.Text.Json;
using EdgeGateway.Simulators.LocalSystem;

namespace EdgeGateway.EndToEnd.Tests;

/// <summary>
/// A docking station as a user runs it: the dock simulator docks cameras, the gateway (dock role)
/// offloads every recording to FleetControl's vault, wipes a camera only after a matching receipt,
/// and FleetControl's verify command confirms each item's file hash and chain of custody.
/// </summary>
public sealed class DockOffloadTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(180);

    [Fact]
    public async Task DockedCameras_AreOffloadedVerifiedAndWiped_EachItemVerifiesEndToEnd()
    {
        const int cameras = 3;
        const int recordingsPerCamera = 2;
        await using var system = await SystemUnderTest.StartAsync();
        var (gateway, simulator) = await system.StartDockAsync("dock-e2e", cameras, recordingsPerCamera);

        // The simulator undocks a camera once the gateway has wiped it, and says so when all are done.
        await simulator.WaitForOutputAsync(l => l.Contains("every camera offloaded", StringComparison.Ordinal), Patience, TestContext.Current.CancellationToken);

        var items = (await system.Fleet.GetJsonAsync("/api/evidence?deviceId=dock-e2e&limit=1000", TestContext.Current.CancellationToken)).GetProperty("items").EnumerateArray().ToList();
        Assert.True(items.Count >= cameras * recordingsPerCamera, $"expected at least {cameras * recordingsPerCamera} items in the vault, found {items.Count}");
        Assert.Equal(items.Count, items.Select(i => i.GetProperty("evidenceId").GetString()).Distinct().Count());
        Assert.Contains(items, i => i.GetProperty("critical").GetBoolean());

        // The simulated cameras' habits: a recording in a folder, a name with spaces and non-ASCII letters.
        var names = items.Select(i => i.GetProperty("fileName").GetString()!).ToList();
        Assert.Contains("DCIM/100BWV/BWV100001_0000.mp4", names);
        Assert.Contains("BWV100002 Café Street_0001.MP4", names);

        foreach (var id in items.Select(i => i.GetProperty("evidenceId").GetString()!))
        {
            var log = Path.Combine(system.Directory, "verify.log");
            await using var verify = ManagedProcess.Start("verify", SystemUnderTest.Outputs.FleetControl, ["evidence", "verify", id, "--vault", system.Fleet.VaultDirectory, "--identity", Path.Combine(system.Fleet.DataDirectory, "identity")], null, log);
            // OK, and every custody entry signed: the dock's with its device key, the vault's with FleetControl's.
            await verify.WaitForOutputAsync(l => l.Contains("OK", StringComparison.Ordinal) && l.Contains("signed by dock-e2e (0-", StringComparison.Ordinal)
                && l.Contains("fleetcontrol-vault", StringComparison.Ordinal) && !l.Contains("unsigned", StringComparison.Ordinal), TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            await Eventually.TrueAsync(() => verify.HasExited, TimeSpan.FromSeconds(30), "verify exits");
            Assert.Equal(0, verify.ExitCode);
        }

        // Tampering fails verification: one byte of a stored file flipped, one custody entry edited.
        var ids = items.Select(i => i.GetProperty("evidenceId").GetString()!).ToList();
        var vault = system.Fleet.VaultDirectory;
        var stored = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(vault, ids[0] + ".receipt.json"), TestContext.Current.CancellationToken)).RootElement.GetProperty("storedFile").GetString()!;
        var bytes = await File.ReadAllBytesAsync(Path.Combine(vault, stored), TestContext.Current.CancellationToken);
        bytes[bytes.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(Path.Combine(vault, stored), bytes, TestContext.Current.CancellationToken);
        var custodyPath = Path.Combine(vault, ids[1] + ".custody.jsonl");
        var lines = await File.ReadAllLinesAsync(custodyPath, TestContext.Current.CancellationToken);
        Assert.Contains("\"event\":\"captured\"", lines[0], StringComparison.Ordinal);
        lines[0] = lines[0].Replace("\"event\":\"captured\"", "\"event\":\"Captured\"", StringComparison.Ordinal);
        await File.WriteAllLinesAsync(custodyPath, lines, TestContext.Current.CancellationToken);
        foreach (var (id, problem) in new[] { (ids[0], "file hash mismatch"), (ids[1], "broken at entry 0") })
        {
            var log = Path.Combine(system.Directory, "verify-tampered-" + id + ".log");
            await using var verify = ManagedProcess.Start("verify", SystemUnderTest.Outputs.FleetControl, ["evidence", "verify", id, "--vault", vault, "--identity", Path.Combine(system.Fleet.DataDirectory, "identity")], null, log);
            await verify.WaitForOutputAsync(l => l.Contains(problem, StringComparison.Ordinal), TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            await Eventually.TrueAsync(() => verify.HasExited, TimeSpan.FromSeconds(30), "verify exits");
            Assert.Equal(1, verify.ExitCode);
        }

        // The dock's evidence alarms reached FleetControl: as device events and as alerts. Camera BWV100002's first
        // recording has a torn sidecar; BWV100000 carries a .DS_Store the dock does not take.
        var ct = TestContext.Current.CancellationToken;
        await Eventually.UntilAsync(
            async () =>
            {
                var events = (await system.Fleet.GetJsonAsync("/api/devices/dock-e2e", ct)).GetProperty("events").EnumerateArray().ToList();
                return events.Any(e => e.GetProperty("type").GetString() == "evidence.sidecar_invalid" && e.GetProperty("attributes").GetProperty("camera_serial").GetString() == "BWV100002")
                    && events.Any(e => e.GetProperty("type").GetString() == "evidence.file_not_accepted" && e.GetProperty("attributes").GetProperty("file").GetString() == ".DS_Store");
            },
            "sidecar and file-not-accepted alarms are among the dock's events in FleetControl", TimeSpan.FromSeconds(60));
        var alerts = (await system.Fleet.GetJsonAsync("/api/alerts?deviceId=dock-e2e&limit=1000", ct)).EnumerateArray().Select(a => a.GetProperty("message").GetString()!).ToList();
        Assert.Contains(alerts, m => m.Contains("evidence.sidecar_invalid", StringComparison.Ordinal));
        Assert.Contains(alerts, m => m.Contains("evidence.file_not_accepted", StringComparison.Ordinal) && m.Contains(".DS_Store", StringComparison.Ordinal));

        // A camera holding only files the dock will not take: FleetControl shows them under its bay, with why.
        var bay = Path.Combine(system.Directory, "dock-e2e", "bays", "bay-04");
        Directory.CreateDirectory(bay);
        await File.WriteAllTextAsync(Path.Combine(bay, "notes.txt"), "not a recording", ct);
        await File.WriteAllTextAsync(Path.Combine(bay, "camera.json"), """{"serial":"BWV999999","batteryPercent":50}""", ct);
        await Eventually.UntilAsync(
            async () =>
            {
                var dock = (await system.Fleet.GetJsonAsync("/api/devices/dock-e2e", ct)).GetProperty("dock");
                return dock.ValueKind == JsonValueKind.Object && dock.TryGetProperty("bays", out var bays) && bays.EnumerateArray().Any(b =>
                    b.GetProperty("bay").GetInt32() == 4 && b.TryGetProperty("unaccepted", out var files)
                    && files.EnumerateArray().Any(f => f.GetProperty("name").GetString() == "notes.txt" && f.GetProperty("reason").GetString() == "unknown type .txt"));
            },
            "bay 4's refused notes.txt shows in FleetControl's view of the dock", TimeSpan.FromSeconds(60));
        Assert.False(gateway.Process.HasExited);
    }
}
