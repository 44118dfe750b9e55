using static EdgeGateway.Benchmarks.HarnessSupport;
using EdgeGateway.Contracts.Evidence;
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
/// <c>dotnet run -c Release --project benchmarks/EdgeGateway.Benchmarks -- evidence [--single 1GiB] [--bay-size 256MiB] [--bays 8] [--concurrency 4] [--repeat 1] [--chunk 1MiB] [--dir DIR]</c>
/// <para>
/// <c>evidence encryption [--single 1GiB] [--repeat 3]</c>: the same single-recording offload with the staged copy
/// encrypted at rest (<c>Evidence:EncryptStaging</c>) and in plaintext, alternating in one run; prints the
/// encrypted/plain rate ratio per pair and the median.
/// </para>
/// </summary>
internal static class EvidenceHarness
{
    private const double MiB = 1024 * 1024;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is ["micro"])
        {
            var block = new byte[4 << 20];
            new Random(1).NextBytes(block);
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            using (var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256))
            {
                for (var i = 0; i < 64; i++)
                {
                    sha.AppendData(block);
                }
            }

            var cpu1 = Process.GetCurrentProcess().TotalProcessorTime;
            uint crc = 0;
            for (var i = 0; i < 64; i++)
            {
                crc ^= EdgeGateway.Contracts.Evidence.Crc32C.Compute(block);
            }

            var cpu2 = Process.GetCurrentProcess().TotalProcessorTime;
            Console.WriteLine(Invariant($"256 MiB: SHA-256 {(cpu1 - cpu0).TotalSeconds:0.000} CPU-s, CRC32C {(cpu2 - cpu1).TotalSeconds:0.000} CPU-s ({crc:x8})"));
            return 0;
        }

        if (args is ["encryption", .. var encryptionArgs])
        {
            return await EncryptionAsync(encryptionArgs);
        }

        if (args is ["copy-only", var size, .. var rest])
        {
            return await CopyOnlyAsync(size, rest is [var checkpoint] ? checkpoint : "32MiB");
        }

        long single = 1L << 30, baySize = 256L << 20;
        int bays = 8, concurrency = 4, repeat = 1;
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
                case "--chunk": _chunk = args[i + 1]; break;
                case "--repeat": repeat = Math.Max(1, int.Parse(args[i + 1], CultureInfo.InvariantCulture)); break;
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

            // 0. Warm-up: a dock gateway and the vault run for days, so JIT and tiering are not part of an
            //    offload; one small recording through the same code first (its figure is printed, not used).
            //    Tiered compilation promotes hot methods only after ~30 calls and a quiet period, hence several
            //    rounds and then a wait until the JIT has gone quiet; the JIT work left in a timed run is printed.
            for (var round = 0; round < 3; round++)
            {
                var warm = new DockSimulator(Path.Combine(root, "run0", "bays"));
                await warm.DockAsync(1, Camera("BWV800000", 128L << 20), seed, CancellationToken.None);
                var warmSeconds = await OffloadAsync(Path.Combine(root, "run0"), warm, 1, concurrency);
                Console.WriteLine(Invariant($"warm-up {round + 1}  128 MiB {warmSeconds:0.00} s = {128 / warmSeconds:0.0} MB/s, {_lastPipelineCpuSeconds:0.00} CPU-s"));
                Directory.Delete(Path.Combine(root, "run0"), recursive: true);
            }

            // 1. One recording, dock to verified receipt. The simulator has just written the file, so it is
            //    in the page cache for sha256sum and for the dock alike (both read it warm).
            //    --repeat N runs it N times (a fresh file each time) and prints the median ratio: on a shared box
            //    one run's ratio moves with whatever else is running.
            var ratios = new List<double>();
            for (var run = 1; run <= repeat; run++)
            {
                var runDir = Path.Combine(root, Invariant($"run1-{run}"));
                var sim = new DockSimulator(Path.Combine(runDir, "bays"));
                await sim.DockAsync(1, Camera(Invariant($"BWV9{run:D5}"), single), seed, CancellationToken.None);
                var file = sim.Recordings(1).Single();
                await SyncAsync(); // the generated file's writeback must not land on either measurement
                var shaSeconds = await Sha256SumSecondsAsync(file);
                var one = await OffloadAsync(runDir, sim, 1, concurrency);
                var jitNote = _lastJitNote;
                var sizeMb = single / MiB;
                var pipelineRate = sizeMb / one;
                var shaRate = sizeMb / shaSeconds;
                ratios.Add(pipelineRate / shaRate);
                Console.WriteLine(Invariant($"single  {sizeMb,8:0} MiB  sha256sum {shaSeconds,6:0.00} s = {shaRate,7:0.0} MB/s   dock->verified receipt {one,6:0.00} s = {pipelineRate,7:0.0} MB/s   ratio {pipelineRate / shaRate:0.00}"));
                Console.WriteLine(Invariant($"        CPU (load-independent): sha256sum {_lastShaCpuSeconds:0.00} s = {sizeMb / _lastShaCpuSeconds:0.0} MB per CPU-s; dock+vault pipeline {_lastPipelineCpuSeconds:0.00} s (user {_lastPipelineUserSeconds:0.00}, kernel {_lastPipelineCpuSeconds - _lastPipelineUserSeconds:0.00}) = {sizeMb / _lastPipelineCpuSeconds:0.0} MB per CPU-s; CPU ratio {_lastShaCpuSeconds / _lastPipelineCpuSeconds:0.00}"));
                Console.WriteLine("        phases: " + Phases(Path.Combine(runDir, "data", "evidence")));
                Console.WriteLine("        " + jitNote);
                Directory.Delete(runDir, recursive: true);
            }

            if (repeat > 1)
            {
                ratios.Sort();
                Console.WriteLine(Invariant($"single  median ratio of {repeat} runs {ratios[repeat / 2]:0.00} (min {ratios[0]:0.00}, max {ratios[^1]:0.00})"));
            }

            // 2. Eight bays in parallel (bounded by --concurrency transfers).
            var sim8 = new DockSimulator(Path.Combine(root, "run2", "bays"));
            for (var bay = 1; bay <= bays; bay++)
            {
                await sim8.DockAsync(bay, Camera(Invariant($"BWV91{bay:D4}"), baySize), seed, CancellationToken.None);
            }

            await SyncAsync();
            var all = await OffloadAsync(Path.Combine(root, "run2"), sim8, bays, concurrency);
            var total = bays * baySize / MiB;
            Console.WriteLine(Invariant($"bays    {bays} x {baySize / MiB:0} MiB = {total:0} MiB, {concurrency} concurrent transfers: {all:0.00} s = {total / all:0.0} MB/s aggregate"));
            Console.WriteLine(Invariant($"        CPU: {_lastPipelineCpuSeconds:0.00} s = {total / _lastPipelineCpuSeconds:0.0} MB per CPU-s"));
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Encrypted against plaintext staging, same size, alternating order, in one run.</summary>
    private static async Task<int> EncryptionAsync(string[] args)
    {
        long single = 1L << 30;
        var repeat = 3;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--single": SizeParser.TryParse(args[i + 1], out single); break;
                case "--repeat": repeat = Math.Max(1, int.Parse(args[i + 1], CultureInfo.InvariantCulture)); break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }

        var root = Path.Combine(Path.GetTempPath(), "eg-evidence-encryption-bench");
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }

        Directory.CreateDirectory(root);
        try
        {
            var seed = await new ClipFactory(Path.Combine(root, ".cache")).EnsureSeedClipAsync(5, CancellationToken.None);
            Console.WriteLine($"evidence encryption harness: {Environment.ProcessorCount} cores, AES-NI {System.Runtime.Intrinsics.X86.Aes.IsSupported}, {single / MiB:0} MiB per offload, {repeat} pairs");
            var n = 0;
            async Task<(double Rate, double Cpu)> RunAsync(bool encrypt, long size)
            {
                var runDir = Path.Combine(root, Invariant($"run-{++n}"));
                var sim = new DockSimulator(Path.Combine(runDir, "bays"));
                await sim.DockAsync(1, Camera(Invariant($"BWV7{n:D5}"), size), seed, CancellationToken.None);
                await SyncAsync();
                _encryptStaging = encrypt;
                var seconds = await OffloadAsync(runDir, sim, 1, 1);
                Directory.Delete(runDir, recursive: true);
                return (size / MiB / seconds, _lastPipelineCpuSeconds);
            }

            foreach (var encrypt in new[] { false, true, false, true })
            {
                var (rate, _) = await RunAsync(encrypt, 128L << 20);
                Console.WriteLine(Invariant($"warm-up {(encrypt ? "encrypted" : "plain    ")} 128 MiB {rate:0.0} MB/s"));
            }

            var ratios = new List<double>();
            for (var pair = 1; pair <= repeat; pair++)
            {
                // Alternate which goes first, so a drift in the machine's load does not favour one side.
                var order = pair % 2 == 1 ? new[] { false, true } : new[] { true, false };
                var results = new Dictionary<bool, (double Rate, double Cpu)>();
                foreach (var encrypt in order)
                {
                    results[encrypt] = await RunAsync(encrypt, single);
                }

                var ratio = results[true].Rate / results[false].Rate;
                ratios.Add(ratio);
                Console.WriteLine(Invariant($"pair {pair}  plain {results[false].Rate,7:0.0} MB/s ({results[false].Cpu:0.00} CPU-s)   encrypted {results[true].Rate,7:0.0} MB/s ({results[true].Cpu:0.00} CPU-s)   ratio {ratio:0.00}"));
            }

            ratios.Sort();
            Console.WriteLine(Invariant($"encrypted/plain offload rate: median {ratios[ratios.Count / 2]:0.00} (min {ratios[0]:0.00}, max {ratios[^1]:0.00}) over {repeat} pairs"));
            return 0;
        }
        finally
        {
            _encryptStaging = true;
            Directory.Delete(root, recursive: true);
        }
    }

    private static bool _encryptStaging = true;

    /// <summary>The staging copy + SHA-256 alone (no upload), to see where time goes.</summary>
    private static async Task<int> CopyOnlyAsync(string sizeText, string checkpointText)
    {
        SizeParser.TryParse(sizeText, out var size);
        SizeParser.TryParse(checkpointText, out var checkpoint);
        var root = Path.Combine(Path.GetTempPath(), "eg-evidence-copy");
        Directory.CreateDirectory(root);
        try
        {
            var seed = await new ClipFactory(Path.Combine(root, ".cache")).EnsureSeedClipAsync(5, CancellationToken.None);
            var sim = new DockSimulator(Path.Combine(root, "bays"));
            await sim.DockAsync(1, Camera("BWV1", size), seed, CancellationToken.None);
            var rec = EdgeGateway.Devices.Bwv.BayScanner.ScanBay(1, sim.BayDirectory(1)).Recordings.Single();
            var options = Microsoft.Extensions.Options.Options.Create(new EvidenceOptions { CheckpointBytes = checkpoint });
            var staging = new StagingArea(options, Microsoft.Extensions.Options.Options.Create(new GatewayOptions { DeviceId = "x", DataDirectory = Path.Combine(root, "data") }));
            var shaSeconds = await Sha256SumSecondsAsync(rec.VideoPath);
            var sync = Stopwatch.StartNew();
            using (var process = Process.Start("sync"))
            {
                await process.WaitForExitAsync();
            }

            Console.WriteLine(Invariant($"(sync of the generated file: {sync.Elapsed.TotalSeconds:0.00} s)"));
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            await new RecordingCopier(staging, options, TimeProvider.System).CopyAsync(rec, "ev-x", _ => { }, CancellationToken.None);
            Console.WriteLine(Invariant($"copy-only {size / MiB:0} MiB: {watch.Elapsed.TotalSeconds:0.00} s = {size / MiB / watch.Elapsed.TotalSeconds:0.0} MB/s, {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:0.00} CPU-s; sha256sum {size / MiB / shaSeconds:0.0} MB/s, {_lastShaCpuSeconds:0.00} CPU-s"));
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Waits (at most 30 s) until no method has been JIT-compiled for a second.</summary>
    private static async Task JitQuietAsync()
    {
        var watch = Stopwatch.StartNew();
        var count = System.Runtime.JitInfo.GetCompiledMethodCount();
        while (watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            var now = System.Runtime.JitInfo.GetCompiledMethodCount();
            if (now == count)
            {
                break;
            }

            count = now;
        }

    }

    private static async Task SyncAsync()
    {
        using var process = Process.Start("sync");
        await process.WaitForExitAsync();
    }

    private static SimulatedCamera Camera(string serial, long size) => new(serial, 90, "PC1", [
        new SimulatedRecording("long.mp4", size, "manual", null, new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero), TimeSpan.FromMinutes(40)),
    ]);

    private static double _lastShaCpuSeconds;

    /// <summary>Wall seconds of <c>sha256sum FILE</c>; its CPU seconds (user+sys, via bash's <c>times</c>) go to <see cref="_lastShaCpuSeconds"/>.</summary>
    private static async Task<double> Sha256SumSecondsAsync(string file)
    {
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(new ProcessStartInfo("bash", ["-c", "sha256sum \"$1\" >/dev/null; times", "bash", file]) { RedirectStandardOutput = true })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var wall = watch.Elapsed.TotalSeconds;
        // times prints the shell's own times, then its children's: "0m0.550s 0m0.036s".
        var children = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last().Split(' ');
        _lastShaCpuSeconds = children.Sum(ParseTimes);
        return wall;
    }

    private static double ParseTimes(string text)
    {
        var m = text.IndexOf('m', StringComparison.Ordinal);
        return (double.Parse(text[..m], CultureInfo.InvariantCulture) * 60) + double.Parse(text[(m + 1)..].TrimEnd('s'), CultureInfo.InvariantCulture);
    }

    private static double _lastPipelineCpuSeconds;
    private static string _lastJitNote = string.Empty;
    private static string _chunk = "1MiB";
    private static double _lastPipelineUserSeconds;

    /// <summary>Starts the vault and the dock, docks the cameras, returns seconds until every recording is wiped (i.e. had a verified receipt).</summary>
    private static async Task<double> OffloadAsync(string run, DockSimulator sim, int bays, int concurrency)
    {
        var port = FreePort();
        await using var vault = await InProcessVault.StartAsync(Path.Combine(run, "vault"), port);

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:DeviceId"] = "dock-bench",
            ["Security:DevelopmentPlaintext"] = "true", // the named development override: this is not a security test
            ["Gateway:DataDirectory"] = Path.Combine(run, "data"),
            ["Gateway:FleetControlUrl"] = $"http://127.0.0.1:{port}",
            ["Dock:BaysRoot"] = sim.Root,
            ["Dock:Bays"] = bays.ToString(CultureInfo.InvariantCulture),
            ["Dock:ScanInterval"] = "00:00:00.050",
            ["Evidence:MaxConcurrentTransfers"] = concurrency.ToString(CultureInfo.InvariantCulture),
            ["Evidence:MinFreeDiskBytes"] = "0",
            ["Evidence:EncryptStaging"] = _encryptStaging ? "true" : "false",
            ["Evidence:ChunkBytes"] = SizeParser.TryParse(_chunk, out var chunk) ? chunk.ToString(CultureInfo.InvariantCulture) : "1048576",
        });
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.SectionName);
        builder.Services.AddEvidenceOffload(builder.Configuration);
        using var gateway = builder.Build();

        // The dock is already running when a camera is docked: the cameras are parked while the vault and
        // the gateway start (and the JIT settles), and the clock starts when they go back into their bays.
        for (var bay = 1; bay <= bays; bay++)
        {
            sim.Undock(bay);
        }

        await gateway.StartAsync();
        await JitQuietAsync();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var user = Process.GetCurrentProcess().UserProcessorTime;
        var (jitMethods, jitTime) = (System.Runtime.JitInfo.GetCompiledMethodCount(), System.Runtime.JitInfo.GetCompilationTime());
        var watch = Stopwatch.StartNew();
        for (var bay = 1; bay <= bays; bay++)
        {
            sim.Redock(bay);
        }
        while (Enumerable.Range(1, bays).Any(b => sim.Recordings(b).Count > 0))
        {
            if (watch.Elapsed > TimeSpan.FromMinutes(10))
            {
                throw new TimeoutException("offload did not finish in 10 minutes");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(5));
        }

        var seconds = watch.Elapsed.TotalSeconds;
        _lastJitNote = Invariant($"JIT during the timed run: {System.Runtime.JitInfo.GetCompiledMethodCount() - jitMethods} methods, {(System.Runtime.JitInfo.GetCompilationTime() - jitTime).TotalSeconds:0.00} s");
        _lastPipelineCpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
        _lastPipelineUserSeconds = (Process.GetCurrentProcess().UserProcessorTime - user).TotalSeconds;
        await gateway.StopAsync();
        await vault.StopAsync();
        return seconds;
    }

    /// <summary>Seconds between custody events of the (first) item: copy, upload tail after the copy, receipt to wipe.</summary>
    private static string Phases(string staging)
    {
        var dir = Directory.GetDirectories(staging).First();
        var custody = File.ReadAllLines(Path.Combine(dir, "custody.jsonl"))
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement)
            .Select(e => (Event: e.GetProperty("event").GetString()!, At: DateTimeOffset.Parse(e.GetProperty("at").GetString()!, CultureInfo.InvariantCulture)))
            .ToList();
        DateTimeOffset At(string evt) => custody.Last(c => c.Event == evt).At;
        return Invariant($"docked->hashed (copy+SHA-256, upload following) {(At("hashed") - At("docked")).TotalSeconds:0.00} s, hashed->stored (upload tail, vault hash) {(At("stored") - At("hashed")).TotalSeconds:0.00} s, stored->wiped {(At("wiped") - At("stored")).TotalSeconds:0.00} s");
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
