using static EdgeGateway.Benchmarks.HarnessSupport;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EdgeGateway.Simulators.LocalSystem;
using FleetControl.Evidence;

namespace EdgeGateway.Benchmarks.Evidence;

/// <summary>
/// CPU of a dock gateway process while cameras sit in its bays (not BenchmarkDotNet): 8 bays x 200
/// recordings (each with its sidecar) are offloaded with the Keep policy, so they stay docked; once
/// the vault holds every one, the gateway's utime+stime (<c>/proc/PID/stat</c>) is read over the
/// measuring window. A second run measures the same gateway with 8 empty bays. <c>--gateway DLL</c>
/// measures another build (e.g. the code before this change) in the same way.
/// <c>dotnet run -c Release --project benchmarks/EdgeGateway.Benchmarks -- dock-scan [--bays 8] [--per-bay 200] [--seconds 30] [--gateway DLL]</c>
/// </summary>
internal static class DockScanHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        var bays = Option(args, "--bays", 8);
        var perBay = Option(args, "--per-bay", 200);
        var seconds = Option(args, "--seconds", 30);
        var gateway = OptionString(args, "--gateway") ?? BuildOutputs.Locate().Gateway;
        var root = Path.Combine(Path.GetTempPath(), "eg-dock-scan-bench");
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }

        Console.WriteLine($"dock-scan harness: {Environment.ProcessorCount} cores, gateway {gateway}, {bays} bays x {perBay} recordings, {seconds} s windows");
        var docked = await MeasureAsync(gateway, Path.Combine(root, "docked"), bays, perBay, seconds);
        var idle = await MeasureAsync(gateway, Path.Combine(root, "idle"), bays, 0, seconds);
        Console.WriteLine(Invariant($"| {bays * perBay} recordings docked, all offloaded (Keep) | {docked:0.00}% of a core |"));
        Console.WriteLine(Invariant($"| {bays} bays, no cameras | {idle:0.00}% of a core |"));
        Directory.Delete(root, recursive: true);
        return 0;
    }

    private static async Task<double> MeasureAsync(string gatewayDll, string run, int bays, int perBay, int seconds)
    {
        var baysRoot = Path.Combine(run, "bays");
        var data = new byte[16 * 1024];
        var start = new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);
        for (var bay = 1; bay <= bays && perBay > 0; bay++)
        {
            var dir = Path.Combine(baysRoot, string.Create(CultureInfo.InvariantCulture, $"bay-{bay:D2}"));
            Directory.CreateDirectory(dir);
            var serial = string.Create(CultureInfo.InvariantCulture, $"BWV{500000 + bay}");
            for (var i = 0; i < perBay; i++)
            {
                Random.Shared.NextBytes(data);
                var name = string.Create(CultureInfo.InvariantCulture, $"VID{i:D4}");
                File.WriteAllBytes(Path.Combine(dir, name + ".mp4"), data);
                File.WriteAllText(Path.Combine(dir, name + ".json"), JsonSerializer.Serialize(new
                {
                    cameraSerial = serial, officerId = "PC" + bay, startUtc = start.AddMinutes(i), endUtc = start.AddMinutes(i + 1), trigger = "manual",
                }));
            }

            File.WriteAllText(Path.Combine(dir, "camera.json"), JsonSerializer.Serialize(new { serial, batteryPercent = 80 }));
        }

        Directory.CreateDirectory(baysRoot);
        var port = FreePort();
        var vaultDir = Path.Combine(run, "vault");
        Directory.CreateDirectory(vaultDir);
        await using var vault = await InProcessVault.StartAsync(vaultDir, port);

        var environment = new Dictionary<string, string>
        {
            ["Gateway__DeviceId"] = "dock-scan",
            ["Security__DevelopmentPlaintext"] = "true", // the named development override: the in-process vault is cleartext; this measures scanning
            ["Gateway__Role"] = "Dock",
            ["Gateway__DataDirectory"] = Path.Combine(run, "data"),
            ["Gateway__FleetControlUrl"] = $"http://127.0.0.1:{port}",
            ["Dock__BaysRoot"] = baysRoot,
            ["Dock__Bays"] = bays.ToString(CultureInfo.InvariantCulture),
            ["Evidence__CameraPolicy"] = "Keep",
            ["Evidence__MaxConcurrentTransfers"] = "4",
            ["Evidence__MinFreeDiskBytes"] = "0",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        await using var process = ManagedProcess.Start("gateway", gatewayDll, [], environment, Path.Combine(run, "gateway.log"), run);
        var watch = Stopwatch.StartNew();
        while (Directory.GetFiles(vaultDir, "*" + VaultStorage.RecordSuffix).Length < bays * perBay)
        {
            if (process.HasExited || watch.Elapsed > TimeSpan.FromMinutes(20))
            {
                throw new InvalidOperationException("the gateway did not offload every recording: " + process.RecentOutput());
            }

            await Task.Delay(500);
        }

        Console.WriteLine(Invariant($"  {bays * perBay} recordings offloaded in {watch.Elapsed.TotalSeconds:0.0} s; settling 90 s (JIT tiering, custody syncs, first full rescans), then measuring {seconds} s"));
        await Task.Delay(TimeSpan.FromSeconds(90)); // tiered JIT settles after about a minute; custody syncs; the first full rescans
        var before = ProcFs.CpuTicks(process.Id);
        var clock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        var used = (ProcFs.CpuTicks(process.Id) - before) / ProcFs.TicksPerSecond;
        var percent = used / clock.Elapsed.TotalSeconds * 100;
        Console.WriteLine(Invariant($"  gateway pid {process.Id}: {used:0.00} CPU-s in {clock.Elapsed.TotalSeconds:0.0} s = {percent:0.00}% of a core"));
        await process.StopAsync(TimeSpan.FromSeconds(10));
        return percent;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
