using static EdgeGateway.Benchmarks.HarnessSupport;
using System.Diagnostics;
using System.Globalization;
using EdgeGateway.Contracts.V1;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeGateway.Benchmarks.Load;

/// <summary>
/// End-to-end store-and-forward load harness (not BenchmarkDotNet): the real gateway (LiteDB outbox,
/// observation sink, MQTT uplink, health) and the real FleetControl (embedded broker, ingest, LiteDB
/// store, DeliveryAck) in one process on loopback. A backlog is built through the sink while
/// FleetControl is down, then FleetControl starts and the backlog drains.
/// <c>drain</c>: Telemetry backlog only; link-up to outbox empty, against a raw MQTTnet QoS 1 publish
/// loop of the same number of messages and size on the same broker.
/// <c>emergency</c>: Telemetry backlog plus Bulk DeviceEvents with 32-64 KiB detail; while it drains,
/// an Emergency envelope every <c>--interval-ms</c> through the sink, timed from the call to
/// FleetControl's durable commit (the moment it publishes the DeliveryAck) and to the gateway's
/// outbox delete on that ack.
/// <c>tls</c>: the drain over mutual TLS against the same drain in plaintext (the development override), in
/// alternating pairs in one run; the gateway is enrolled first as the product does it (<see cref="GatewayEnrolment"/>).
/// <c>dotnet run -c Release --project benchmarks/EdgeGateway.Benchmarks -- load [drain|emergency|all|tls] [--pairs 2] [--messages 100000] [--bulk-mb 4] [--samples 100] [--interval-ms 50] [--streams 16] [--window 4000] [--fill bulk|sink] [--fleet cold|warm] [--min-threads N] [--warmup 2000] [--set Gateway:Config=Value]... [--dir DIR]</c>
/// </summary>
internal static class LoadHarness
{
    private static readonly TimeSpan LongWait = TimeSpan.FromMinutes(20);

    public static async Task<int> RunAsync(string[] args)
    {
        var mode = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "all";
        var options = new LoadOptions(
            Messages: Option(args, "--messages", 100_000),
            BulkMb: Option(args, "--bulk-mb", 4),
            Samples: Option(args, "--samples", 100),
            IntervalMs: Option(args, "--interval-ms", 50),
            Streams: Option(args, "--streams", 16),
            Window: Option(args, "--window", 4000),
            MinThreads: Option(args, "--min-threads", 0),
            Fill: OptionString(args, "--fill") ?? "bulk",
            Fleet: OptionString(args, "--fleet") ?? "cold",
            Warmup: Option(args, "--warmup", 2000),
            GatewaySettings: GatewaySettings(args),
            Root: OptionString(args, "--dir") ?? Path.GetTempPath());
        if (options.Fleet is not ("cold" or "warm"))
        {
            Console.Error.WriteLine($"unknown --fleet '{options.Fleet}': use cold or warm");
            return 2;
        }

        if (mode is not ("drain" or "emergency" or "all" or "tls"))
        {
            Console.Error.WriteLine($"unknown load mode '{mode}': use drain, emergency, all or tls");
            return 2;
        }

        if (options.MinThreads > 0)
        {
            // LiteDbOutbox.EnqueueAsync blocks its caller (lock + disk flush): concurrent enqueuers
            // each hold a pool thread, and the pool adds threads slowly on 2 cores.
            ThreadPool.GetMinThreads(out _, out var io);
            ThreadPool.SetMinThreads(options.MinThreads, io);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"load {mode}: {options}; gateway overrides [{string.Join(", ", options.GatewaySettings.Select(kv => $"{kv.Key}={kv.Value}"))}]; {Environment.ProcessorCount} cores; load average {LoadAverage()}"));
        var rows = new List<(string Scenario, string Metric, string Value)>();
        var ok = true;
        if (options.Warmup > 0)
        {
            // JIT and first-use costs of both hosts, so the first measured scenario is not penalised.
            ok &= await RunScenarioAsync(options with { Messages = options.Warmup, BulkMb = 1, Samples = 5 }, emergency: true, []).ConfigureAwait(false);
            if (mode == "tls")
            {
                ok &= await RunScenarioAsync(options with { Messages = options.Warmup }, emergency: false, [], tls: true).ConfigureAwait(false);
            }

            Console.WriteLine("warm-up done");
        }

        if (mode == "tls")
        {
            ok &= await RunTlsPairsAsync(options, Option(args, "--pairs", 2), rows).ConfigureAwait(false);
        }
        if (mode is "drain" or "all")
        {
            ok &= await RunScenarioAsync(options, emergency: false, rows).ConfigureAwait(false);
        }

        if (mode is "emergency" or "all")
        {
            ok &= await RunScenarioAsync(options, emergency: true, rows).ConfigureAwait(false);
        }

        PrintTable(rows);
        Console.WriteLine($"load average at end: {LoadAverage()}");
        return ok ? 0 : 1;
    }

    /// <summary>
    /// The drain in plaintext and over mutual TLS, <paramref name="pairs"/> times, alternating which goes first; per pair
    /// the mTLS rate as a ratio to the plaintext one and CPU per envelope (both hosts), then the median ratio. A full-size
    /// pair 0 runs first and is not counted: on a loaded 2-core machine the first 100k drain in the process ran at about
    /// half the rate and twice the CPU per envelope of the later ones (tier-1 JIT and heap growth still catching up),
    /// whichever transport it used, even after a 20k-envelope warm-up.
    /// </summary>
    private static async Task<bool> RunTlsPairsAsync(LoadOptions o, int pairs, List<(string, string, string)> rows)
    {
        var ok = true;
        var ratios = new List<double>();
        for (var pair = 0; pair <= pairs; pair++)
        {
            var figures = new List<DrainFigure>();
            foreach (var tls in pair % 2 == 1 ? new[] { false, true } : [true, false])
            {
                ok &= await RunScenarioAsync(o, emergency: false, rows, tls, figures).ConfigureAwait(false);
            }

            var plain = figures.Single(f => !f.Tls);
            var mtls = figures.Single(f => f.Tls);
            var ratio = mtls.Rate / plain.Rate;
            if (pair > 0)
            {
                ratios.Add(ratio);
            }

            var row = string.Create(CultureInfo.InvariantCulture,
                $"plaintext {plain.Rate:F0} env/s, {plain.CpuMicrosecondsPerEnvelope:F0} us CPU/env; mTLS {mtls.Rate:F0} env/s, {mtls.CpuMicrosecondsPerEnvelope:F0} us CPU/env; RATIO mTLS/plaintext {ratio:F2} (CPU/env {mtls.CpuMicrosecondsPerEnvelope / plain.CpuMicrosecondsPerEnvelope:F2}x); load average {LoadAverage()}");
            rows.Add(($"tls pair {pair}", $"drain {plain.Envelopes} env, {(pair % 2 == 1 ? "plaintext" : "mTLS")} first{(pair == 0 ? ", warm-up, not counted" : string.Empty)}", row));
            Console.WriteLine($"[tls pair {pair}] {row}");
        }

        var sorted = ratios.Order().ToArray();
        if (sorted.Length == 0)
        {
            return ok; // --pairs 0: the warm-up pair only
        }

        var median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        rows.Add(("tls", "RATIO mTLS / plaintext drain rate, median of pairs (aim >= 0.8)", string.Create(CultureInfo.InvariantCulture, $"{median:F2} ({string.Join(", ", ratios.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))})")));
        return ok;
    }

    private static async Task<bool> RunScenarioAsync(LoadOptions o, bool emergency, List<(string, string, string)> rows, bool tls = false, List<DrainFigure>? figures = null)
    {
        var name = emergency ? "emergency" : tls ? "drain mTLS" : figures is not null ? "drain plaintext" : "drain";
        void Row(string metric, FormattableString value) => rows.Add((name, metric, FormattableString.Invariant(value)));

        var dir = Path.Combine(o.Root, "load-bench-" + Guid.NewGuid().ToString("N"));
        var observer = new AckObserver();
        var port = FreePort();
        var ok = true;
        try
        {
            var gatewaySettings = o.GatewaySettings;
            if (tls)
            {
                // Enrolled as the product does it (REST token, CSR over gRPC), then FleetControl stops again: the link is down.
                var security = await GatewayEnrolment.EnrolAsync(Path.Combine(dir, "fleet"), Path.Combine(dir, "gateway"), port, o.GatewaySettings).ConfigureAwait(false);
                foreach (var (key, value) in o.GatewaySettings)
                {
                    security.TryAdd(key, value);
                }

                gatewaySettings = security;
            }

            var gateway = await GatewayUnderTest.StartAsync(Path.Combine(dir, "gateway"), port, observer, gatewaySettings).ConfigureAwait(false);
            await using var current = new CurrentGateway(() => gateway);

            // 1. Backlog while FleetControl is not reachable.
            var work = new List<(string Stream, int Count, Func<int, Envelope> Make)>();
            for (var s = 0; s < o.Streams; s++)
            {
                var stream = $"gnss-{s}";
                work.Add((stream, LoadWorkload.Share(o.Messages, o.Streams, s), i => LoadWorkload.Telemetry(stream, i)));
            }

            var bulkCount = 0;
            if (emergency && o.BulkMb > 0)
            {
                // 32-64 KiB details until the total reaches --bulk-mb, over 4 streams.
                var random = new Random(42);
                var sizes = new List<int>();
                for (long total = 0; total < o.BulkMb * 1024L * 1024; )
                {
                    var size = random.Next(32 * 1024, (64 * 1024) + 1);
                    sizes.Add(size);
                    total += size;
                }

                bulkCount = sizes.Count;
                for (var s = 0; s < 4; s++)
                {
                    var stream = $"bulk-{s}";
                    var mine = sizes.Where((_, i) => i % 4 == s).ToList();
                    var rnd = new Random(s);
                    work.Add((stream, mine.Count, i => LoadWorkload.Bulk(stream, mine[i], rnd)));
                }
            }

            var fillClock = Stopwatch.StartNew();
            var (refused, bytes) = o.Fill == "bulk"
                ? await LoadWorkload.FillBulkAsync(gateway, observer, work, 1000).ConfigureAwait(false)
                : await LoadWorkload.FillAsync(gateway.Sink, work).ConfigureAwait(false);
            fillClock.Stop();
            var backlog = o.Messages + bulkCount - refused;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[{name}] backlog {backlog} envelopes ({o.Messages} telemetry + {bulkCount} bulk, {bytes / 1048576.0:F1} MiB, {refused} refused) enqueued in {fillClock.Elapsed.TotalSeconds:F1} s; outbox depth {gateway.Depth()}"));
            Row($"backlog enqueue (link down, {(o.Fill == "bulk" ? "EnqueueMany x1000" : "sink")})", $"{backlog} env, {bytes / 1048576.0:F1} MiB in {fillClock.Elapsed.TotalSeconds:F1} s = {backlog / fillClock.Elapsed.TotalSeconds:F0} env/s ({o.Streams} telemetry streams{(emergency ? " + 4 bulk" : string.Empty)})");
            ok &= refused == 0;

            // 2. Link comes up: FleetControl starts on the port the gateway has been probing. --fleet warm: as in the field,
            // FleetControl has been up a while when a gateway with a backlog comes back (here: the gateway stops, keeping
            // its backlog, FleetControl starts and settles, then the gateway starts again and connects at once).
            var warm = o.Fleet == "warm";
            if (warm)
            {
                await gateway.DisposeAsync().ConfigureAwait(false);
            }

            observer.ArmDrain();
            var startAt = Stopwatch.GetTimestamp();
            await using var fleet = await FleetControlUnderTest.StartAsync(Path.Combine(dir, "fleet"), port, observer, tls).ConfigureAwait(false);
            var listeningAt = Stopwatch.GetTimestamp();
            await fleet.IngestSubscribed.WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
            var subscribedAt = Stopwatch.GetTimestamp();
            if (warm)
            {
                await Task.Delay(WarmSettle).ConfigureAwait(false);
                gateway = await GatewayUnderTest.StartAsync(Path.Combine(dir, "gateway"), port, observer, gatewaySettings).ConfigureAwait(false);
            }

            await gateway.Connected.WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
            var linkUp = gateway.ConnectedAt;

            Task<List<Sample>>? sampler = emergency ? SampleEmergenciesAsync(gateway, o.Samples, TimeSpan.FromMilliseconds(o.IntervalMs)) : null;
            var cpuAtLinkUp = Process.GetCurrentProcess().TotalProcessorTime;
            var (pauseAtLinkUp, gen2AtLinkUp) = (GC.GetTotalPauseDuration(), GC.CollectionCount(2));
            using (var progress = new CancellationTokenSource())
            {
                var printer = PrintProgressAsync(name, gateway, observer, fleet, linkUp, progress.Token);
                await observer.Drained.WaitAsync(LongWait).ConfigureAwait(false);
                await progress.CancelAsync().ConfigureAwait(false);
                await printer.ConfigureAwait(false);
            }

            var drainedAt = observer.DrainedAt;
            var drainCpu = Process.GetCurrentProcess().TotalProcessorTime - cpuAtLinkUp;
            var samples = sampler is null ? [] : await sampler.WaitAsync(LongWait).ConfigureAwait(false);
            await WaitUntilAsync(() => observer.Pending == 0, TimeSpan.FromSeconds(60)).ConfigureAwait(false);

            var drain = Stopwatch.GetElapsedTime(linkUp, drainedAt);
            var stored = await fleet.Store.CountEnvelopesAsync(CancellationToken.None).ConfigureAwait(false);
            var depthAfter = gateway.Depth();
            var counters = gateway.Counters;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[{name}] drained in {drain.TotalSeconds:F2} s; FleetControl stored {stored}; outbox depth now {depthAfter}; published {counters.PublishedMessages} in {counters.PublishedBatches} batches, ack timeouts {counters.AckTimeouts}, publish failures {counters.PublishFailures}, ingest commits {fleet.Stats.Commits}"));
            ok &= stored >= backlog + samples.Count;

            Row("FleetControl start -> broker listening / ingest subscribed", $"{Ms(startAt, listeningAt):F0} / {Ms(startAt, subscribedAt):F0} ms");
            Row(warm ? $"FleetControl start -> gateway link Connected ({WarmSettle.TotalSeconds:F0} s settle, gateway restarted)" : "FleetControl start -> gateway link Connected", $"{Ms(startAt, linkUp):F0} ms");
            Row("drain start: link up -> first stored / first ack at gateway", $"{Ms(linkUp, observer.FirstStoredAck):F0} / {Ms(linkUp, observer.FirstGatewayAck):F0} ms");
            Row("drain: link up -> outbox empty (all acked)", $"{drain.TotalSeconds:F2} s = {backlog / drain.TotalSeconds:F0} env/s, {bytes / 1048576.0 / drain.TotalSeconds:F1} MiB/s");
            Row("GC during drain (both hosts share this process): pause total / gen2 collections", $"{(GC.GetTotalPauseDuration() - pauseAtLinkUp).TotalMilliseconds:F0} ms / {GC.CollectionCount(2) - gen2AtLinkUp}");
            Row("process CPU during drain (both hosts)", $"{drainCpu.TotalSeconds:F2} s = {drainCpu.TotalMicroseconds / backlog:F0} us/env, {drainCpu.TotalSeconds / drain.TotalSeconds:F2} cores");
            Row("gateway outbox LeaseAsync during run", $"{observer.Leases}");
            Row("gateway outbox AcknowledgeAsync (delete) during run", $"{observer.Deletes}");
            Row("uplink publishes / ack timeouts / acked ids beyond ours (health reports, duplicates)", $"{counters.PublishedBatches} batches ({counters.PublishedMessages} env) / {counters.AckTimeouts} / {counters.Acknowledged - backlog - samples.Count}");
            Row("FleetControl stored / outbox depth after", $"{stored} / {depthAfter}");
            var commits = observer.Commits.Where(c => c.Start >= linkUp && c.Start <= drainedAt).ToList();
            if (commits.Count > 0)
            {
                var sizes = commits.Select(c => (double)c.Envelopes).Order().ToArray();
                Row("FleetControl ingest commits during drain: count, envelopes p50 / max", $"{commits.Count}, {Percentile(sizes, 0.5):F0} / {sizes[^1]:F0}");
                ReportLatency(Row, "FleetControl ingest commit duration", commits.Select(c => Ms(c.Start, c.End)));
                var busy = commits.Sum(c => Ms(c.Start, c.End));
                Row("FleetControl store busy committing / drain time", $"{busy / 1000:F2} s / {drain.TotalSeconds:F2} s = {busy / drain.TotalMilliseconds:F2}; {busy * 1000 / Math.Max(1, commits.Sum(c => c.Envelopes)):F1} us/env");
            }

            figures?.Add(new DrainFigure(tls, backlog, backlog / drain.TotalSeconds, drainCpu.TotalMicroseconds / backlog));
            if (figures is not null || tls)
            {
                // The TLS comparison: the yardstick is the other drain of the pair (a raw loop needs a plaintext port).
                var identity = gateway.Services.GetRequiredService<EdgeGateway.Security.GatewayIdentity>();
                Row("gateway link", $"{(identity.IsPlaintext ? "plaintext (development override)" : $"mutual TLS, device certificate {identity.Current?.Subject} serial {identity.Current?.SerialNumber}")}");
            }
            else if (!emergency)
            {
                // 3. The yardstick, same broker, same run, after the drain.
                var average = (int)Math.Max(1, bytes / Math.Max(1, backlog));
                var single = RandomPayload(average);
                var raw = await RawQos1Baseline.PublishAsync(port, "load-raw-1", backlog, single, o.Window).ConfigureAwait(false);
                Row($"raw MQTTnet QoS1 loop, {backlog} msgs x {average} B, window {o.Window}", $"{raw.TotalSeconds:F2} s = {backlog / raw.TotalSeconds:F0} msgs/s");
                Row("RATIO durable drain / raw per-message QoS1", $"{raw.TotalSeconds / drain.TotalSeconds:F2}");

                const int batch = 200; // Mqtt:MaxBatch default: what the uplink packs into one publish
                var batches = (backlog + batch - 1) / batch;
                var batched = await RawQos1Baseline.PublishAsync(port, "load-raw-2", batches, RandomPayload(average * batch), Math.Max(1, o.Window / batch)).ConfigureAwait(false);
                Row($"raw MQTTnet QoS1 loop, {batches} msgs x {average * batch} B (200-env batches)", $"{batched.TotalSeconds:F2} s = {backlog / batched.TotalSeconds:F0} env/s");
                Row("ratio durable drain / raw batched QoS1", $"{batched.TotalSeconds / drain.TotalSeconds:F3}");
            }
            else
            {
                var duringDrain = samples.Where(s => s.Start < drainedAt).ToList();
                Row("emergency samples (during drain / total)", $"{duringDrain.Count} / {samples.Count}, every {o.IntervalMs} ms");
                ReportLatency(Row, "enqueue only (sink call)", duringDrain.Select(s => Ms(s.Start, s.Enqueued)));
                ReportLatency(Row, "sink returned -> leased by uplink (about to publish)", duringDrain.Select(s => Ms(s.Enqueued, observer.LeasedAt(s.MessageId))));
                ReportLatency(Row, "leased -> FleetControl stored", duringDrain.Select(s => Ms(observer.LeasedAt(s.MessageId), observer.StoredAt(s.MessageId))));
                ReportLatency(Row, "  leased -> its FleetControl commit started", duringDrain.Select(s => Ms(observer.LeasedAt(s.MessageId), observer.CommitStartedAt(s.MessageId))));
                ReportLatency(Row, "    leased -> broker received it from the gateway", duringDrain.Select(s => Ms(observer.LeasedAt(s.MessageId), observer.BrokerReceivedAt(s.MessageId))));
                ReportLatency(Row, "    broker received -> its FleetControl commit started", duringDrain.Select(s => Ms(observer.BrokerReceivedAt(s.MessageId), observer.CommitStartedAt(s.MessageId))));
                ReportLatency(Row, "  the commit before its own: duration", duringDrain.Select(s => CommitBefore(commits, observer.CommitStartedAt(s.MessageId)) is { } c ? Ms(c.Start, c.End) : double.NaN));
                ReportLatency(Row, "  the commit before its own: envelopes", duringDrain.Select(s => CommitBefore(commits, observer.CommitStartedAt(s.MessageId)) is { } c ? c.Envelopes : double.NaN));
                ReportLatency(Row, "  its commit started -> stored (own commit + ack)", duringDrain.Select(s => Ms(observer.CommitStartedAt(s.MessageId), observer.StoredAt(s.MessageId))));
                ReportLatency(Row, "    of which its own store call (urgent lane)", commits.Where(c => c.HoldsWatched).Select(c => Ms(c.Start, c.End)));
                ReportLatency(Row, "enqueue -> FleetControl stored (ack published)", duringDrain.Select(s => Ms(s.Start, observer.StoredAt(s.MessageId))));
                ReportLatency(Row, "enqueue -> ack applied at gateway (outbox delete)", duringDrain.Select(s => Ms(s.Start, observer.GatewayAckedAt(s.MessageId))));
                // The slowest three, where they fell in the drain (a start-up transient, a GC, or steady state).
                foreach (var slow in duringDrain.OrderByDescending(s => Ms(s.Start, observer.StoredAt(s.MessageId))).Take(3))
                {
                    Row("  slow sample: enqueue -> stored, at (after link up): enqueue / leased / at broker / commit started / stored ms",
                        $"{Ms(slow.Start, observer.StoredAt(slow.MessageId)):F1} at {Ms(linkUp, slow.Start):F0}: {Ms(slow.Start, slow.Enqueued):F1} / {Ms(slow.Enqueued, observer.LeasedAt(slow.MessageId)):F1} / {Ms(observer.LeasedAt(slow.MessageId), observer.BrokerReceivedAt(slow.MessageId)):F1} / {Ms(observer.BrokerReceivedAt(slow.MessageId), observer.CommitStartedAt(slow.MessageId)):F1} / {Ms(observer.CommitStartedAt(slow.MessageId), observer.StoredAt(slow.MessageId)):F1}");
                }

                var missing = samples.Count(s => observer.StoredAt(s.MessageId) == 0);
                ok &= missing == 0 && samples.All(s => s.Result == Core.EnqueueResult.Accepted);
                Row("emergency samples never seen stored", $"{missing}");

                // The yardstick: the same Emergency samples through the same hosts, now with nothing queued.
                // What the machine alone costs an urgent message at this moment; the ratio is the backlog's share.
                var idle = await SampleEmergenciesAsync(gateway, o.Samples, TimeSpan.FromMilliseconds(o.IntervalMs)).ConfigureAwait(false);
                await WaitUntilAsync(() => observer.Pending == 0, TimeSpan.FromSeconds(60)).ConfigureAwait(false);
                var idleStored = idle.Select(s => Ms(s.Start, observer.StoredAt(s.MessageId))).Where(v => !double.IsNaN(v)).Order().ToArray();
                var busyStored = duringDrain.Select(s => Ms(s.Start, observer.StoredAt(s.MessageId))).Where(v => !double.IsNaN(v)).Order().ToArray();
                ReportLatency(Row, "baseline, no backlog: enqueue -> FleetControl stored", idleStored);
                if (idleStored.Length > 0 && busyStored.Length > 0)
                {
                    Row("RATIO enqueue -> stored, under backlog / no backlog, p50 / p99",
                        $"{Percentile(busyStored, 0.5) / Percentile(idleStored, 0.5):F2} / {Percentile(busyStored, 0.99) / Percentile(idleStored, 0.99):F2}");
                }
            }
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        return ok;
    }

    /// <summary>The commit that ended last before one starting at <paramref name="start"/> (what an envelope arriving meanwhile waited for).</summary>
    private static AckObserver.Commit? CommitBefore(List<AckObserver.Commit> commits, long start) =>
        start == 0 ? null : commits.Where(c => c.End <= start).MaxBy(c => c.End);

    private static async Task<List<Sample>> SampleEmergenciesAsync(GatewayUnderTest gateway, int count, TimeSpan interval)
    {
        var samples = new List<Sample>(count);
        using var timer = new PeriodicTimer(interval);
        for (var i = 0; i < count; i++)
        {
            await timer.WaitForNextTickAsync().ConfigureAwait(false);
            var draft = LoadWorkload.Emergency();
            var start = Stopwatch.GetTimestamp();
            var result = await gateway.Sink.AcceptAsync(draft, CancellationToken.None).ConfigureAwait(false);
            samples.Add(new Sample(draft.MessageId, start, Stopwatch.GetTimestamp(), result));
        }

        return samples;
    }

    /// <summary>Once a second while draining: published, stored, acked at gateway, ingest commits.</summary>
    private static async Task PrintProgressAsync(string name, GatewayUnderTest gateway, AckObserver observer, FleetControlUnderTest fleet, long linkUp, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"[{name}] +{Stopwatch.GetElapsedTime(linkUp).TotalSeconds:F1} s: published {gateway.Counters.PublishedMessages}, stored {observer.StoredIds} ({fleet.Stats.Commits} commits), deleted at gateway {observer.GatewayAckedIds}, pending {observer.Pending}"));
            }
        }
        catch (OperationCanceledException)
        {
            // Drained.
        }
    }

    private static void ReportLatency(Action<string, FormattableString> row, string what, IEnumerable<double> values)
    {
        var all = values.ToList();
        var sorted = all.Where(v => !double.IsNaN(v)).Order().ToArray();
        if (sorted.Length == 0)
        {
            row(what, $"no samples");
            return;
        }

        row(what + " p50 / p99 / max ms", $"{Percentile(sorted, 0.50):F1} / {Percentile(sorted, 0.99):F1} / {sorted[^1]:F1} (n={sorted.Length}{(all.Count > sorted.Length ? $", {all.Count - sorted.Length} never seen" : string.Empty)})");
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    private static double Percentile(double[] sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    /// <summary>Milliseconds between two Stopwatch timestamps; NaN when the end never happened.</summary>
    private static double Ms(long from, long to) => from == 0 || to == 0 ? double.NaN : Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;

    private static byte[] RandomPayload(int size)
    {
        var payload = new byte[size];
        new Random(7).NextBytes(payload);
        return payload;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!condition())
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException("load harness: condition not met within " + timeout);
            }

            await Task.Delay(10).ConfigureAwait(false);
        }
    }

    private static void PrintTable(List<(string Scenario, string Metric, string Value)> rows)
    {
        var w1 = rows.Select(r => r.Scenario.Length).DefaultIfEmpty(8).Max();
        var w2 = rows.Select(r => r.Metric.Length).DefaultIfEmpty(6).Max();
        Console.WriteLine();
        Console.WriteLine($"{"scenario".PadRight(w1)} | {"metric".PadRight(w2)} | value");
        Console.WriteLine(new string('-', w1 + w2 + 40));
        foreach (var (scenario, metric, value) in rows)
        {
            Console.WriteLine($"{scenario.PadRight(w1)} | {metric.PadRight(w2)} | {value}");
        }
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>Every <c>--set Key=Value</c>: gateway configuration overrides, e.g. <c>--set Mqtt:MaxInFlight=1000</c>.</summary>
    private static Dictionary<string, string?> GatewaySettings(string[] args)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i + 1 < args.Length; i++)
        {
            if (args[i] == "--set" && args[i + 1].Split('=', 2) is [var key, var value])
            {
                settings[key] = value;
            }
        }

        return settings;
    }

    /// <summary>One drain: over mutual TLS or not, envelopes, envelopes per second, CPU microseconds per envelope (both hosts).</summary>
    private sealed record DrainFigure(bool Tls, int Envelopes, double Rate, double CpuMicrosecondsPerEnvelope);

    private sealed record Sample(string MessageId, long Start, long Enqueued, Core.EnqueueResult Result);

    private sealed record LoadOptions(int Messages, int BulkMb, int Samples, int IntervalMs, int Streams, int Window, int MinThreads, string Fill, string Fleet, int Warmup, IReadOnlyDictionary<string, string?> GatewaySettings, string Root);

    /// <summary>--fleet warm: how long FleetControl runs before the gateway with the backlog connects.</summary>
    private static readonly TimeSpan WarmSettle = TimeSpan.FromSeconds(3);

    /// <summary>Disposes whichever gateway instance is current when the scenario ends (--fleet warm replaces it).</summary>
    private sealed class CurrentGateway(Func<GatewayUnderTest> current) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => current().DisposeAsync();
    }
}
