using System.Diagnostics;
using System.Globalization;
using System.Net;
using EdgeGateway.Evidence;
using EdgeGateway.Hosting;
using EdgeGateway.Simulators.Dock;
using FleetControl.Evidence;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Benchmarks.Evidence;

/// <summary>
/// End-to-end evidence offload harness (not BenchmarkDotNet): dock -> staging copy + SHA-256 ->
/// gRPC upload over loopback -> vault hash -> receipt -> camera wiped. Reports MB/s and the ratio to
/// <c>sha256sum</c> of the same file measured in the same run.
/// <c>dotnet run -c Release --project benchmarks/EdgeGateway.Benchmarks -- evidence [--single 1GiB] [--bay-size 256MiB] [--bays 8] [--concurrency 4] [--dir DIR]</c>
/// </summary>
internal static class EvidenceHarness
{
    private const double MiB = 1024 * 1024;

    public static async Task<int> RunAsync(string[] args)
    {
        long single = 1L << 30, baySize = 256L << 20;
        int bays = 8, concurrency = 4;
        var root = Path.Combine(Path.GetTempPath(), "eg-evidence-bench");
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--single": SizeParser.TryParse(args[i + 1], out single); break;
                case "--bay-size": SizeParser.TryParse(args[i + 1], out baySize); break;
                case "--bays": bays = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--concurrency": concurrency = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--dir": root = args[i + 1]; break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }

        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }

        Directory.CreateDirectory(root);
        try
        {
            var seed = await new ClipFactory(Path.Combine(root, ".cache")).EnsureSeedClipAsync(5, CancellationToken.None);
            Console.WriteLine($"evidence harness: {Environment.ProcessorCount} cores, root {root}");

            // 1. One recording, dock to verified receipt.
            var sim = new DockSimulator(Path.Combine(root, "run1", "bays"));
            await sim.DockAsync(1, Camera("BWV900000", single), seed, CancellationToken.None);
            var file = sim.Recordings(1).Single();
            var shaSeconds = await Sha256SumSecondsAsync(file);
            var one = await OffloadAsync(Path.Combine(root, "run1"), sim, 1, concurrency);
            var sizeMb = single / MiB;
            var pipelineRate = sizeMb / one;
            var shaRate = sizeMb / shaSeconds;
            Console.WriteLine(Invariant($"single  {sizeMb,8:0} MiB  sha256sum {shaSeconds,6:0.00} s = {shaRate,7:0.0} MB/s   dock->verified receipt {one,6:0.00} s = {pipelineRate,7:0.0} MB/s   ratio {pipelineRate / shaRate:0.00}"));

            // 2. Eight bays in parallel (bounded by --concurrency transfers).
            var sim8 = new DockSimulator(Path.Combine(root, "run2", "bays"));
            for (var bay = 1; bay <= bays; bay++)
            {
                await sim8.DockAsync(bay, Camera(Invariant($"BWV91{bay:D4}"), baySize), seed, CancellationToken.None);
            }

            var all = await OffloadAsync(Path.Combine(root, "run2"), sim8, bays, concurrency);
            var total = bays * baySize / MiB;
            Console.WriteLine(Invariant($"bays    {bays} x {baySize / MiB:0} MiB = {total:0} MiB, {concurrency} concurrent transfers: {all:0.00} s = {total / all:0.0} MB/s aggregate"));
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static SimulatedCamera Camera(string serial, long size) => new(serial, 90, "PC1", [
        new SimulatedRecording("long.mp4", size, "manual", null, new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero), TimeSpan.FromMinutes(40)),
    ]);

    private static async Task<double> Sha256SumSecondsAsync(string file)
    {
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(new ProcessStartInfo("sha256sum", [file]) { RedirectStandardOutput = true })!;
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return watch.Elapsed.TotalSeconds;
    }

    /// <summary>Starts the vault and the dock, returns seconds until every recording is wiped (i.e. had a verified receipt).</summary>
    private static async Task<double> OffloadAsync(string run, DockSimulator sim, int bays, int concurrency)
    {
        var port = FreePort();
        var vaultBuilder = WebApplication.CreateSlimBuilder();
        vaultBuilder.Logging.ClearProviders();
        vaultBuilder.Configuration["Evidence:VaultDirectory"] = Path.Combine(run, "vault");
        vaultBuilder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http2));
        vaultBuilder.Services.AddSingleton(TimeProvider.System);
        vaultBuilder.Services.AddEvidenceVault(vaultBuilder.Configuration);
        await using var vault = vaultBuilder.Build();
        vault.MapEvidenceVault();
        await vault.StartAsync();

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:DeviceId"] = "dock-bench",
            ["Gateway:DataDirectory"] = Path.Combine(run, "data"),
            ["Gateway:FleetControlUrl"] = $"http://127.0.0.1:{port}",
            ["Dock:BaysRoot"] = sim.Root,
            ["Dock:Bays"] = bays.ToString(CultureInfo.InvariantCulture),
            ["Dock:ScanInterval"] = "00:00:00.050",
            ["Evidence:MaxConcurrentTransfers"] = concurrency.ToString(CultureInfo.InvariantCulture),
            ["Evidence:MinFreeDiskBytes"] = "0",
        });
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.SectionName);
        builder.Services.AddEvidenceOffload(builder.Configuration);
        using var gateway = builder.Build();
        var watch = Stopwatch.StartNew();
        await gateway.StartAsync();
        while (Enumerable.Range(1, bays).Any(b => sim.Recordings(b).Count > 0))
        {
            if (watch.Elapsed > TimeSpan.FromMinutes(10))
            {
                throw new TimeoutException("offload did not finish in 10 minutes");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(5));
        }

        var seconds = watch.Elapsed.TotalSeconds;
        await gateway.StopAsync();
        await vault.StopAsync();
        return seconds;
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
