using System.Text.Json;

namespace EdgeGateway.EndToEnd.Tests;

/// <summary>
/// The gateway's data disk filled by another program, for real: its data folder is a small tmpfs that
/// the test fills with a file and later frees. The gateway must stay up (no exit, no restart), store
/// and deliver its own disk-full alarm (an Alert, from the reserve) while refusing positions visibly,
/// and by itself take positions again once the space is back, each accepted one stored exactly once.
/// </summary>
public sealed class GatewayDiskFullTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task Gateway_DataDiskFilledThenFreed_StaysUpAlarmsAndEveryAcceptedPositionStoredExactlyOnce()
    {
        await using var system = await SystemUnderTest.StartAsync();
        const string deviceId = "car-diskfull";
        using var disk = SmallFileSystem.Mount(16 * 1024 * 1024, at: Path.Combine(system.Directory, deviceId, "data"));
        var (gateway, gps) = await system.StartVehicleAsync(deviceId, settings: new Dictionary<string, string>
        {
            ["Outbox:UrgentReserveBytes"] = "1048576",
            ["Outbox:FreeDiskReserveBytes"] = "0",
            ["Outbox:MaintenanceInterval"] = "00:00:00.500",
            ["Outbox:DataLossReportInterval"] = "00:00:01",
        });
        var before = await Eventually.WaitAsync(
            ct => system.PositionsAsync(deviceId, ct), p => p.Count >= 15, Patience, "15 positions are stored before the disk fills");
        var process = gateway.Process;

        disk.Fill();

        // The alarm is an Alert written from the reserve and delivered; the refused positions are
        // reported as data loss. Both raise alerts in FleetControl.
        try
        {
            await Eventually.WaitAsync(
                ct => AlertMessagesAsync(system, deviceId, ct),
                m => m.Any(a => a.Contains("outbox.disk_full", StringComparison.Ordinal)) && m.Any(a => a.Contains("Telemetry message(s) refused", StringComparison.Ordinal)),
                Patience,
                "FleetControl holds the disk-full alarm and a data-loss alert for refused positions");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + "\nThe gateway's recent output:\n" + process.RecentOutput(), e);
        }
        var full = await Eventually.WaitAsync(
            _ => Task.FromResult(ReadOutboxCounter(gateway, "outbox_disk_full")), c => c == 1, Patience, "health.json says the disk is full");
        Assert.Equal(1, full);
        Assert.False(process.HasExited, "the gateway must stay up while its disk is full");

        disk.Free();

        await Eventually.WaitAsync(
            _ => Task.FromResult(ReadOutboxCounter(gateway, "outbox_disk_full")), c => c == 0, Patience, "health.json says the disk is no longer full");
        await GatewayCrashTests.AssertCompleteAfterDrainAsync(system, gateway, gps, deviceId, minimum: before.Count + 20);
        Assert.Same(process, gateway.Process); // never restarted
        Assert.False(process.HasExited);
    }

    [Fact]
    public async Task Dock_DataDiskWithStagingFilledThenFreed_StaysUpAndFinishesEveryOffload()
    {
        await using var system = await SystemUnderTest.StartAsync();
        const string deviceId = "dock-diskfull";
        var data = Path.Combine(system.Directory, deviceId, "data");
        using var disk = SmallFileSystem.Mount(128 * 1024 * 1024, at: data);
        var (gateway, simulator) = await system.StartDockAsync(deviceId, cameras: 2, recordingsPerCamera: 1, new Dictionary<string, string>
        {
            ["Evidence:StagingDirectory"] = Path.Combine(data, "evidence"), // the default: staging shares the data disk
            ["Evidence:MinFreeDiskBytes"] = "4194304",
            ["Evidence:FailedItemBackoff"] = "00:00:02",
            ["Outbox:UrgentReserveBytes"] = "1048576",
            ["Outbox:FreeDiskReserveBytes"] = "0",
            ["Outbox:MaintenanceInterval"] = "00:00:00.500",
        });
        var process = gateway.Process;

        // Running, with its outbox open and its reserve in place, before another program fills the disk.
        await Eventually.WaitAsync(
            _ => Task.FromResult(ReadOutboxCounter(gateway, "outbox_disk_full")), c => c == 0, Patience, "the dock's outbox is open");
        disk.Fill();

        // The alarm is written from the outbox's reserve and delivered. health.json is not awaited here: its
        // writer competes with the copy retries for the few bytes the reserve frees, so it may stay stale.
        try
        {
            await Eventually.WaitAsync(
                ct => AlertMessagesAsync(system, deviceId, ct),
                m => m.Any(a => a.Contains("outbox.disk_full", StringComparison.Ordinal)),
                Patience,
                "FleetControl holds the dock's disk-full alarm");
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + "\nThe dock's recent output:\n" + process.RecentOutput(), e);
        }
        Assert.False(process.HasExited, "the dock gateway must stay up while its disk is full");

        disk.Free();

        await simulator.WaitForOutputAsync(l => l.Contains("every camera offloaded", StringComparison.Ordinal), Patience, TestContext.Current.CancellationToken);
        var items = (await system.Fleet.GetJsonAsync($"/api/evidence?deviceId={deviceId}&limit=1000", TestContext.Current.CancellationToken)).GetProperty("items").EnumerateArray().ToList();
        Assert.True(items.Count >= 2, $"expected at least 2 items in the vault, found {items.Count}");
        Assert.Equal(items.Count, items.Select(i => i.GetProperty("evidenceId").GetString()).Distinct().Count());
        Assert.Same(process, gateway.Process);
        Assert.False(process.HasExited);
    }

    private static async Task<List<string>> AlertMessagesAsync(SystemUnderTest system, string deviceId, CancellationToken cancellationToken)
    {
        using var response = await system.Fleet.Http.GetAsync($"/api/alerts?deviceId={deviceId}&limit=1000", cancellationToken);
        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return document.RootElement.EnumerateArray().Select(a => a.GetProperty("message").GetString() ?? string.Empty).ToList();
    }

    /// <summary>A counter from the gateway's health.json (-1 while unreadable).</summary>
    private static long ReadOutboxCounter(Simulators.LocalSystem.GatewayNode gateway, string name)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(gateway.DataDirectory, "health.json")));
            var counters = document.RootElement.GetProperty("report").GetProperty("counters");
            return counters.TryGetProperty(name, out _) ? Simulators.LocalSystem.GatewayHealthSnapshot.Long(counters, name) : -1;
        }
        catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException)
        {
            return -1;
        }
    }
}
