using System.Diagnostics;
using System.Globalization;
using EdgeGateway.Testing;

namespace EdgeGateway.Benchmarks.Fleet;

/// <summary>
/// <c>fleet</c>: thousands of protocol-level gateways (MQTT clients in this process) publish a valid
/// envelope batch once a second each and wait for FleetControl's DeliveryAck, against one mosquitto and:
/// <list type="bullet">
/// <item>baseline: a plain QoS 1 subscriber that acknowledges each batch at once, no store;</item>
/// <item>litedb: one FleetControl on LiteDB;</item>
/// <item>postgres: one FleetControl on PostgreSQL;</item>
/// <item>postgres3: three FleetControl processes on PostgreSQL sharing the ingest ($share).</item>
/// </list>
/// Reports envelopes stored and acknowledged per second, ingest-to-ack p50/p99, CPU per 1,000 envelopes per
/// component (from /proc), connections, and whether it kept up. Every component runs on this machine.
/// </summary>
internal static class FleetScaleHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        // Thousands of MQTT clients' continuations in one process: do not let the pool's slow thread injection throttle them.
        ThreadPool.SetMinThreads(Math.Max(64, Environment.ProcessorCount * 16), Math.Max(64, Environment.ProcessorCount * 16));
        var deviceCounts = (HarnessSupport.OptionString(args, "--devices") ?? "1000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();
        var targets = (HarnessSupport.OptionString(args, "--targets") ?? "baseline,litedb,postgres,postgres3").Split(',');
        var seconds = HarnessSupport.Option(args, "--seconds", 20);
        var warmup = HarnessSupport.Option(args, "--warmup", 5);
        var batch = HarnessSupport.Option(args, "--batch", 5);
        var interval = TimeSpan.FromSeconds(HarnessSupport.Option(args, "--interval", 1)); // seconds between a device's batches
        Console.WriteLine($"fleet: devices {string.Join(',', deviceCounts)}, targets {string.Join(',', targets)}, {batch} envelopes per batch every {interval.TotalSeconds} s per device, warm-up {warmup} s, window {seconds} s, {Environment.ProcessorCount} cores");

        await using var postgres = new PostgreSqlCluster { Durable = true };
        if (targets.Any(t => t.StartsWith("postgres", StringComparison.Ordinal)))
        {
            await postgres.InitializeAsync();
        }

        var results = new List<FleetResult>();
        foreach (var devices in deviceCounts)
        {
            foreach (var target in targets)
            {
                var result = await RunOneAsync(target, devices, batch, interval, warmup, seconds, postgres);
                results.Add(result);
                Console.WriteLine(result.Line());
            }
        }

        Console.WriteLine();
        Console.WriteLine("| devices | target | offered env/s | acked env/s | ratio to baseline | ack p50 ms | ack p99 ms | CPU ms per 1,000 env: broker / FleetControl (acker) / PostgreSQL / simulators | connections | kept up |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in results)
        {
            var baseline = results.FirstOrDefault(b => b.Devices == r.Devices && b.Target == "baseline");
            Console.WriteLine(r.Row(baseline));
        }

        return 0;
    }

    private static async Task<FleetResult> RunOneAsync(string target, int devices, int batch, TimeSpan interval, int warmup, int seconds, PostgreSqlCluster postgres)
    {
        var dir = Path.Combine(Path.GetTempPath(), "eg-fleet-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(dir);
        await using var broker = await MosquittoProcess.StartAsync(dir);
        var instances = new List<Process>();
        string? connectionString = null;
        try
        {
            switch (target)
            {
                case "baseline":
                    // Its own process, as FleetControl is: not sharing the simulators' thread pool.
                    instances.Add(StartProcess("acker", [Path.Combine(AppContext.BaseDirectory, "EdgeGateway.Benchmarks.dll"), "fleet-acker", broker.Port.ToString(CultureInfo.InvariantCulture)]));
                    break;
                case "litedb":
                    instances.Add(StartFleetControl(dir, 1, broker.Port, []));
                    break;
                case "postgres" or "postgres3":
                    connectionString = await postgres.CreateDatabaseAsync("fleet");
                    var count = target == "postgres" ? 1 : 3;
                    for (var i = 1; i <= count; i++)
                    {
                        instances.Add(StartFleetControl(dir, i, broker.Port,
                            ["--Store:Provider=PostgreSql", $"--Store:ConnectionString={connectionString}", "--Mqtt:SharedSubscriptionGroup=fleet"]));
                    }

                    break;
                default:
                    throw new ArgumentException($"unknown target {target}");
            }

            await using var fleet = new SimulatedFleet(broker.Port, batch, interval);
            await fleet.WaitForAckerAsync(instances, TimeSpan.FromSeconds(120));
            var connected = Stopwatch.StartNew();
            await fleet.ConnectAsync(devices);
            Console.WriteLine($"  {target}: {devices} devices connected in {connected.Elapsed.TotalSeconds:F1} s");
            fleet.Start();
            await Task.Delay(TimeSpan.FromSeconds(warmup));

            int[] pgPids() => connectionString is null ? [] : PostgresPids(postgres.PostmasterPid);
            var cpuBefore = Cpu(broker.Pid, instances, pgPids());
            var before = fleet.Snapshot();
            fleet.MeasureLatency = true;
            var window = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(seconds));
            fleet.MeasureLatency = false;
            var after = fleet.Snapshot();
            var cpuAfter = Cpu(broker.Pid, instances, pgPids());
            var elapsed = window.Elapsed.TotalSeconds;
            await fleet.StopAsync();

            var acked = after.AckedEnvelopes - before.AckedEnvelopes;
            var offered = (after.PublishedEnvelopes - before.PublishedEnvelopes) / elapsed;
            var perThousand = acked == 0 ? 0 : 1000.0 / acked;
            var latencies = fleet.Latencies();
            return new FleetResult(
                target,
                devices,
                offered,
                acked / elapsed,
                Percentile(latencies, 0.50),
                Percentile(latencies, 0.99),
                (cpuAfter.Broker - cpuBefore.Broker) * 10 * perThousand,
                (cpuAfter.Fleet - cpuBefore.Fleet) * 10 * perThousand,
                (cpuAfter.Postgres - cpuBefore.Postgres) * 10 * perThousand,
                (cpuAfter.Self - cpuBefore.Self) * 10 * perThousand,
                devices + Math.Max(1, instances.Count),
                fleet.Outstanding);
        }
        finally
        {
            foreach (var p in instances)
            {
                if (!p.HasExited)
                {
                    p.Kill(entireProcessTree: true);
                    await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
                }

                p.Dispose();
            }

            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
                // Best effort.
            }
        }
    }

    private static Process StartFleetControl(string dir, int index, int brokerPort, string[] extra)
    {
        return StartProcess($"fc-{index}", [
            Path.Combine(AppContext.BaseDirectory, "FleetControl.dll"),
            $"--FleetControl:DataDirectory={Path.Combine(dir, "fc-" + index)}",
            $"--FleetControl:HttpPort={HarnessSupport.FreePort()}",
            $"--FleetControl:GrpcPort={HarnessSupport.FreePort()}",
            "--Identity:DevelopmentPlaintext=true",
            "--Mqtt:Mode=External",
            "--Mqtt:Host=127.0.0.1",
            $"--Mqtt:Port={brokerPort}",
            $"--Mqtt:ClientId=fleetcontrol-{index}",
            "--Mqtt:SessionExpiry=00:00:10",
            $"--Evidence:VaultDirectory={Path.Combine(dir, "vault")}",
            "--Logging:LogLevel:Default=Warning",
            .. extra,
        ]);
    }

    private static Process StartProcess(string name, string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"{name} did not start");
        process.OutputDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line && line.Contains("fail", StringComparison.Ordinal)) { Console.Error.WriteLine($"  {name}: {line}"); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) { Console.Error.WriteLine($"  {name}: {line}"); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static int[] PostgresPids(int postmaster)
    {
        var pids = new List<int> { postmaster };
        foreach (var d in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(d), out var pid))
            {
                try
                {
                    var stat = File.ReadAllText(Path.Combine(d, "stat"));
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    if (int.Parse(fields[1], CultureInfo.InvariantCulture) == postmaster)
                    {
                        pids.Add(pid);
                    }
                }
                catch (IOException)
                {
                    // Gone meanwhile.
                }
            }
        }

        return [.. pids];
    }

    private static (long Broker, long Fleet, long Postgres, long Self) Cpu(int broker, List<Process> instances, int[] postgres)
    {
        static long Ticks(int pid)
        {
            try
            {
                return ProcFs.CpuTicks(pid);
            }
            catch (IOException)
            {
                return 0;
            }
        }

        return (Ticks(broker), instances.Sum(p => Ticks(p.Id)), postgres.Sum(Ticks), Ticks(Environment.ProcessId));
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
}
