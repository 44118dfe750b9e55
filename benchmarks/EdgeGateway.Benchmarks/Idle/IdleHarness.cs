using static EdgeGateway.Benchmarks.HarnessSupport;
using System.Diagnostics;
using System.Globalization;
using EdgeGateway.Simulators.LocalSystem;

namespace EdgeGateway.Benchmarks.Idle;

/// <summary>
/// What the real processes cost while they have (almost) nothing to do (not BenchmarkDotNet). Starts
/// FleetControl and, per gateway build, a vehicle gateway fed 1 GPS fix per second through a
/// pseudo-terminal (System.IO.Ports), one fed by the same simulator over TCP, a vehicle gateway
/// whose receiver is connected but silent, and a dock gateway with 8
/// empty bays; plus the baseline, an empty .NET generic host (<see cref="IdleHostBaseline"/>). Every one is
/// a separate <c>dotnet</c> process with the shipped settings (the launcher's 1 s health file is put back to
/// the shipped 5 s; the unit's <c>DOTNET_</c> environment, e.g. the gen0 budget, is set as systemd would). Once the gateways are connected and a settling time has passed (tiered JIT keeps
/// compiling for about a minute), it reads <c>/proc</c> at the start and end of one window: utime+stime,
/// context switches of every thread (wake-ups), threads, and resident memory split as the kernel does.
/// <c>--gateway DLL</c> (repeatable) measures other builds side by side in the same run, e.g. the code
/// before a change, or a published native executable (the NativeAOT gateway); <c>--env NAME=VALUE</c> (repeatable) sets an
/// environment variable for every gateway; in a <c>--variant</c>, <c>-NAME</c> removes one the unit sets.
/// <c>dotnet run -c Release --project benchmarks/EdgeGateway.Benchmarks -- idle [--settle 120] [--window 60] [--gateway DLL]... [--env NAME=VALUE]... [--variant LABEL:NAME=VALUE[,NAME=VALUE]]... [--roles gnss,gnss-tcp,silent,dock,video] [--video] [--smaps] [--dir DIR]</c>
/// <c>--video</c> (or the role <c>video</c>) adds, for the last build, silent-receiver vehicles with in-car video triggers on
/// the simulated harness (inputs by interrupt, inputs polled, inputs plus sensors) to compare with the silent vehicle.
/// </summary>
internal static class IdleHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        var settle = TimeSpan.FromSeconds(Option(args, "--settle", 120));
        var window = TimeSpan.FromSeconds(Option(args, "--window", 60));
        var outputs = BuildOutputs.Locate();
        var builds = Values(args, "--gateway").Select(Path.GetFullPath).ToList();
        if (builds.Count == 0)
        {
            builds.Add(outputs.Gateway);
        }

        // The runtime environment the shipped unit sets (DOTNET_GCgen0size), so "as shipped" means as installed; --env adds or overrides.
        var environment = UnitRuntimeEnvironment(outputs.RepositoryRoot);
        foreach (var e in Values(args, "--env").Select(e => e.Split('=', 2)))
        {
            environment[e[0]] = e.Length > 1 ? e[1] : "";
        }

        // --variant LABEL:NAME=VALUE[,NAME=VALUE]: the first build again with more environment (runtime knobs side by side).
        var runs = builds.Select((dll, b) => (Dll: dll, Label: builds.Count == 1 ? "" : Invariant($"build {b + 1}"), Extra: new Dictionary<string, string>())).ToList();
        foreach (var variant in Values(args, "--variant"))
        {
            var (label, knobs) = variant.IndexOf(':', StringComparison.Ordinal) is var colon and > 0 ? (variant[..colon], variant[(colon + 1)..]) : (variant, "");
            runs.Add((builds[0], label, knobs.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(k => k.Split('=', 2)).ToDictionary(k => k[0], k => k.Length > 1 ? k[1] : "")));
        }

        if (runs.Count > 1 && runs[0].Label.Length == 0)
        {
            runs[0] = runs[0] with { Label = "as shipped" };
        }

        var roles = (OptionString(args, "--roles") ?? "gnss,gnss-tcp,silent,dock").Split(',').ToHashSet(StringComparer.Ordinal);
        if (args.Contains("--video"))
        {
            roles.Add("video");
        }

        var root = OptionString(args, "--dir") ?? Path.Combine(Path.GetTempPath(), "eg-idle-bench");
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }

        Directory.CreateDirectory(root);
        Console.WriteLine(Invariant($"idle harness: {Environment.ProcessorCount} cores, load average {LoadAverage()}"));
        foreach (var run in runs)
        {
            Console.WriteLine(Invariant($"  {(run.Label.Length == 0 ? "build" : run.Label)}: {run.Dll} {string.Join(' ', run.Extra.Select(e => e.Key + "=" + e.Value))}"));
        }

        foreach (var (name, value) in environment)
        {
            Console.WriteLine($"  gateway environment: {name}={value}");
        }

        Console.WriteLine(Invariant($"  settle {settle.TotalSeconds:0} s after the gateways connect, then measure over {window.TotalSeconds:0} s"));

        using var start = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var baseline = ManagedProcess.Start(
            "baseline", typeof(IdleHarness).Assembly.Location, ["idle-host"], null, Path.Combine(root, "baseline.log"), root);
        await using var fleet = new FleetControlNode(outputs, Path.Combine(root, "fleetcontrol"), FreePort(), FreePort(), FreePort());
        await using var silent = new SilentReceiver();
        var simulators = new List<GpsSimulatorNode>();
        var gateways = new List<(string Name, GatewayNode Node, string Aim)>();
        var specs = new List<GatewaySpec>();
        try
        {
            await baseline.WaitForOutputAsync(l => l == IdleHostBaseline.ReadyLine, TimeSpan.FromSeconds(60), start.Token);
            await fleet.StartAsync(start.Token);
            for (var b = 0; b < runs.Count; b++)
            {
                var tag = runs[b].Label.Length == 0 ? "" : Invariant($" ({runs[b].Label})");
                var prefix = Invariant($"b{b + 1}-");
                var settings = new Dictionary<string, string>(environment) { ["Health:FileInterval"] = "00:00:05" };
                foreach (var (name, value) in runs[b].Extra)
                {
                    // "-NAME" in a variant removes a variable the unit sets (e.g. to see a setting compiled into the binary).
                    if (name.StartsWith('-'))
                    {
                        settings.Remove(name[1..]);
                    }
                    else
                    {
                        settings[name] = value;
                    }
                }

                var gpsTcpPort = FreePort();
                var gps = new GpsSimulatorNode(
                    outputs, Path.Combine(root, prefix + "vehicle-gnss"), ["--route", "hertford", "--tcp", Invariant($"127.0.0.1:{gpsTcpPort}")], rate: 1);
                simulators.Add(gps);
                await gps.StartAsync(start.Token);
                var bays = Path.Combine(root, prefix + "dock-idle", "bays");
                Directory.CreateDirectory(bays);
                specs.Add(Spec("vehicle gateway, GNSS 1 Hz" + tag, prefix + "vehicle-gnss", "Vehicle", new(settings)
                {
                    ["Gnss:Transport"] = "Serial",
                    ["Gnss:Serial:PortName"] = gps.PtyLink,
                }, "<= 3%, <= 64 MB"));
                specs.Add(Spec("vehicle gateway, GNSS 1 Hz over TCP" + tag, prefix + "vehicle-gnss-tcp", "Vehicle", new(settings)
                {
                    ["Gnss:Transport"] = "Tcp",
                    ["Gnss:Tcp:Host"] = "127.0.0.1",
                    ["Gnss:Tcp:Port"] = gpsTcpPort.ToString(CultureInfo.InvariantCulture),
                }, ""));
                specs.Add(Spec("vehicle gateway, receiver silent" + tag, prefix + "vehicle-idle", "Vehicle", new(settings)
                {
                    ["Gnss:Transport"] = "Tcp",
                    ["Gnss:Tcp:Host"] = "127.0.0.1",
                    ["Gnss:Tcp:Port"] = silent.Port.ToString(CultureInfo.InvariantCulture),
                }, "<= 1%, <= 64 MB"));
                specs.Add(Spec("dock gateway, no camera docked" + tag, prefix + "dock-idle", "Dock", new(settings)
                {
                    ["Dock:BaysRoot"] = bays,
                    ["Evidence:StagingDirectory"] = Path.Combine(root, prefix + "dock-idle", "staging"),
                }, "<= 1%"));
                if (roles.Contains("video") && b == runs.Count - 1)
                {
                    // In-car video triggers on the simulated harness, beside the silent vehicle above (video off).
                    foreach (var (label, detection, sensors, fifo) in new[]
                    {
                        ("inputs by interrupt", "Interrupt", false, true), ("inputs polled every 50 ms", "Poll", false, true),
                        ("inputs by interrupt + MPU6050 read every 20 ms + INA219/speed 1 s", "Interrupt", true, false),
                        ("inputs by interrupt + MPU6050 FIFO 20 ms drained every 1 s + INA219/speed 1 s", "Interrupt", true, true),
                    })
                    {
                        var video = new Dictionary<string, string>(settings)
                        {
                            ["Gnss:Transport"] = "Tcp",
                            ["Gnss:Tcp:Host"] = "127.0.0.1",
                            ["Gnss:Tcp:Port"] = silent.Port.ToString(CultureInfo.InvariantCulture),
                        };
                        InCarVideoHarness.Inputs(video, detection);
                        if (sensors)
                        {
                            InCarVideoHarness.Sensors(video);
                            video["InCarVideo:Accelerometer:Fifo"] = fifo ? "true" : "false";
                        }

                        specs.Add(Spec(VideoRow + label + tag, prefix + "vehicle-video-" + specs.Count.ToString(CultureInfo.InvariantCulture), "Vehicle", video, ""));
                    }
                }

                GatewaySpec Spec(string name, string id, string role, Dictionary<string, string> gatewaySettings, string aim) =>
                    new(name, id, role, gatewaySettings, aim, runs[b].Dll);
            }

            // Each gateway enrols as in the field (FleetControl's CA, a one-time token, mutual TLS).
            foreach (var spec in specs.Where(s => roles.Contains(RoleKey(s.Name))))
            {
                var directory = Path.Combine(root, spec.Id);
                Directory.CreateDirectory(directory);
                foreach (var (name, value) in await fleet.EnrolGatewayAsync(spec.Id, directory, start.Token))
                {
                    spec.Settings[name] = value;
                }

                gateways.Add((spec.Name, new GatewayNode(outputs, spec.Id, spec.Role, directory, fleet.BrokerPort, fleet.GrpcUrl, spec.Settings, spec.Dll), spec.Aim));
            }

            var launched = Stopwatch.StartNew();
            gateways.ForEach(g => g.Node.Start());
            await WaitConnectedAsync(gateways.Select(g => g.Node).ToList(), start.Token);

            Console.WriteLine(Invariant($"  all {gateways.Count} gateways connected {launched.Elapsed.TotalSeconds:0.0} s after they were started; settling"));
            await Task.Delay(settle); // the figure is steady-state cost, not start-up
            var measured = new List<(string Name, ManagedProcess Process, string Aim)> { ("baseline: empty .NET generic host", baseline, "") };
            measured.AddRange(gateways.Select(g => (g.Name, g.Node.Process, g.Aim)));
            measured.Add((Invariant($"FleetControl ({gateways.Count} devices)"), fleet.Process, ""));
            var before = measured.Select(m => Sample.Take(m.Process)).ToList();
            var clock = Stopwatch.StartNew();
            await Task.Delay(window);
            var after = measured.Select(m => Sample.Take(m.Process)).ToList();
            var seconds = clock.Elapsed.TotalSeconds;

            var baseRss = after[0].Memory.Rss;
            Console.WriteLine();
            Console.WriteLine("| process | CPU, % of one core | wake-ups/s | threads | RSS MB | x baseline RSS | anon MB | file MB | JIT code (shmem) MB | aim |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|");
            for (var i = 0; i < measured.Count; i++)
            {
                var cpu = (after[i].Ticks - before[i].Ticks) / ProcFs.TicksPerSecond / seconds * 100;
                var memory = after[i].Memory;
                Console.WriteLine(Invariant(
                    $"| {measured[i].Name} | {cpu:0.00}% | {ProcFs.ContextSwitchesBetween(before[i].Switches, after[i].Switches) / seconds:0.0} | {after[i].Threads} | {Mb(memory.Rss)} | {(double)memory.Rss / baseRss:0.00} | {Mb(memory.Anonymous)} | {Mb(memory.File)} | {Mb(memory.Shared)} | {measured[i].Aim} |"));
            }

            if (args.Contains("--smaps"))
            {
                // Where each process's resident set lives, mapping by mapping (largest first, at least 0.25 MB).
                for (var i = 0; i < measured.Count; i++)
                {
                    var mappings = ProcFs.Mappings(measured[i].Process.Id);
                    Console.WriteLine();
                    Console.WriteLine(Invariant($"  smaps of {measured[i].Name}: {mappings.Count} mappings, Rss {Mb(mappings.Sum(m => m.Rss))} MB, private {Mb(mappings.Sum(m => m.Private))} MB"));
                    foreach (var (mapping, rss, own) in mappings.Where(m => m.Rss >= 256))
                    {
                        Console.WriteLine(Invariant($"    {Mb(rss),7} MB rss {Mb(own),7} MB private  {mapping}"));
                    }

                    var small = mappings.Where(m => m.Rss < 256).ToList();
                    Console.WriteLine(Invariant($"    {Mb(small.Sum(m => m.Rss)),7} MB rss {Mb(small.Sum(m => m.Private)),7} MB private  ({small.Count} smaller mappings)"));
                }
            }

            Console.WriteLine();
            Console.WriteLine(Invariant($"  window {seconds:0.0} s; load average at the end {LoadAverage()}; GPS fixes produced {string.Join(", ", simulators.Select(s => s.Fixes))}"));
            return gateways.Any(g => g.Node.Process.HasExited) || fleet.Process.HasExited ? 1 : 0;
        }
        finally
        {
            foreach (var (_, node, _) in gateways)
            {
                await node.StopAsync();
                await node.DisposeAsync();
            }

            foreach (var gps in simulators)
            {
                await gps.DisposeAsync();
            }

            await baseline.StopAsync(TimeSpan.FromSeconds(10));
            await baseline.DisposeAsync();
            await fleet.StopAsync();
            if (OptionString(args, "--dir") is null)
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }

    /// <summary>The <c>Environment=DOTNET_...</c> lines of deploy/systemd/edgegateway.service (runtime settings that only an environment variable can give).</summary>
    private static Dictionary<string, string> UnitRuntimeEnvironment(string repositoryRoot)
    {
        var unit = Path.Combine(repositoryRoot, "deploy", "systemd", "edgegateway.service");
        return File.ReadLines(unit)
            .Where(l => l.StartsWith("Environment=DOTNET_", StringComparison.Ordinal) && !l.StartsWith("Environment=DOTNET_ENVIRONMENT=", StringComparison.Ordinal))
            .Select(l => l["Environment=".Length..].Split('=', 2))
            .ToDictionary(e => e[0], e => e.Length > 1 ? e[1] : "", StringComparer.Ordinal);
    }

    /// <summary>The first words of the rows with in-car video triggers (role key <c>video</c>).</summary>
    private const string VideoRow = "vehicle gateway, receiver silent, video triggers: ";

    /// <summary>The <c>--roles</c> key of a gateway row.</summary>
    private static string RoleKey(string name) =>
        name.StartsWith(VideoRow, StringComparison.Ordinal) ? "video"
        : name.StartsWith("vehicle gateway, GNSS 1 Hz over TCP", StringComparison.Ordinal) ? "gnss-tcp"
        : name.StartsWith("vehicle gateway, GNSS 1 Hz", StringComparison.Ordinal) ? "gnss"
        : name.StartsWith("vehicle gateway, receiver silent", StringComparison.Ordinal) ? "silent"
        : "dock";

    /// <summary>Every value given for a repeatable option.</summary>
    private static IEnumerable<string> Values(string[] args, string name)
    {
        for (var i = 0; i + 1 < args.Length; i++)
        {
            if (args[i] == name)
            {
                yield return args[i + 1];
            }
        }
    }

    /// <summary>Waits (bounded) until every gateway's health file reports its link connected.</summary>
    private static async Task WaitConnectedAsync(List<GatewayNode> gateways, CancellationToken cancellationToken)
    {
        while (!gateways.All(g => g.ReadHealth()?.Link == "CONNECTED"))
        {
            if (gateways.FirstOrDefault(g => g.Process.HasExited) is { } dead)
            {
                throw new InvalidOperationException($"{dead.DeviceId} exited with code {dead.Process.ExitCode}:\n{dead.Process.RecentOutput()}");
            }

            // The health file is the gateway's own report, rewritten every few seconds; the wait is bounded by the token.
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }
    }

    private static string Mb(long kib) => (kib / 1024.0).ToString("0.0", CultureInfo.InvariantCulture);

    private static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>One reading of a process's counters.</summary>
    private sealed record Sample(long Ticks, Dictionary<int, long> Switches, int Threads, ProcFs.ResidentMemory Memory)
    {
        public static Sample Take(ManagedProcess process) =>
            process.HasExited
                ? throw new InvalidOperationException($"{process.Name} exited with code {process.ExitCode}:\n{process.RecentOutput()}")
                : new Sample(ProcFs.CpuTicks(process.Id), ProcFs.ContextSwitches(process.Id), ProcFs.Threads(process.Id), ProcFs.Memory(process.Id));
    }

    /// <summary>One gateway to start: its row name, device id, role, settings, aim and build.</summary>
    private sealed record GatewaySpec(string Name, string Id, string Role, Dictionary<string, string> Settings, string Aim, string Dll);
}
