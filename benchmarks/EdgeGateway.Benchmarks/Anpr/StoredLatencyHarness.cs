using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using EdgeGateway.Benchmarks.Load;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Devices.Anpr;
using Microsoft.Extensions.DependencyInjection;
using static EdgeGateway.Benchmarks.HarnessSupport;

namespace EdgeGateway.Benchmarks.Anpr;

/// <summary>
/// <c>anpr-stored [--backlog 100000] [--reads 100] [--interval-ms 50] [--streams 16] [--warmup 20] [--set Key=Value]... [--dir DIR]</c>:
/// read POST → the Read envelope stored at FleetControl, while a Telemetry backlog drains, against the same measure
/// with nothing queued, in the same run. Reuses the load harness's hosts: <see cref="GatewayUnderTest"/> (real LiteDB
/// outbox, MQTT uplink) with the ANPR listener added, and <see cref="FleetControlUnderTest"/> (embedded broker, ingest,
/// LiteDB store, ANPR read store). "Stored" is the moment FleetControl publishes the DeliveryAck, after the commit and
/// the ANPR ingest observer (<see cref="ObservingAckPublisher"/>). Reads are misses (empty hotlist) with a 20 KB plate
/// and a 60 KB overview, so each also queues two Bulk image envelopes.
/// </summary>
internal static class StoredLatencyHarness
{
    private static readonly TimeSpan LongWait = TimeSpan.FromMinutes(20);

    public static async Task<int> RunAsync(string[] args)
    {
        var backlog = Option(args, "--backlog", 100_000);
        var reads = Option(args, "--reads", 100);
        var interval = TimeSpan.FromMilliseconds(Option(args, "--interval-ms", 50));
        var streams = Option(args, "--streams", 16);
        var warmup = Option(args, "--warmup", 20);
        var dir = Path.Combine(OptionString(args, "--dir") ?? Path.GetTempPath(), "anpr-stored-" + Guid.NewGuid().ToString("N")[..8]);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"anpr-stored: backlog {backlog} telemetry over {streams} streams, a read every {interval.TotalMilliseconds} ms during the drain, {reads} baseline reads; {Environment.ProcessorCount} cores; load average {LoadAverage()}"));

        var observer = new AckObserver(PriorityClass.Read);
        var readIds = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        observer.WatchedEnqueuing += e =>
        {
            if (e.BodyCase == Envelope.BodyOneofCase.AnprRead)
            {
                readIds[e.AnprRead.ReadId] = e.MessageId;
            }
        };
        var mqttPort = FreePort();
        var anprPort = FreePort();
        try
        {
            var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
            {
                ["Anpr:Enabled"] = "true",
                ["Anpr:Port"] = anprPort.ToString(CultureInfo.InvariantCulture),
                ["Logging:LogLevel:Default"] = "Error", // the link-down reconnect warnings while the backlog builds
            };
            for (var i = 0; i + 1 < args.Length; i++)
            {
                // Gateway configuration overrides, e.g. --set Mqtt:MaxInFlight=1000 (as in the load harness).
                if (args[i] == "--set" && args[i + 1].Split('=', 2) is [var key, var value])
                {
                    settings[key] = value;
                    Console.WriteLine($"gateway override {key}={value}");
                }
            }

            await using var gateway = await GatewayUnderTest.StartAsync(Path.Combine(dir, "gateway"), mqttPort, observer, settings, (services, configuration) => services.AddAnpr(configuration)).ConfigureAwait(false);
            await gateway.Services.GetRequiredService<AnprCameraListener>().Listening.Task.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            using var camera = new Camera(anprPort, readIds);

            // 1. Warm-up reads (JIT of the listener and processor) and the backlog, while FleetControl is down.
            for (var i = 0; i < warmup; i++)
            {
                await camera.PostAsync().ConfigureAwait(false);
            }

            var work = Enumerable.Range(0, streams)
                .Select(s => ($"gnss-{s}", LoadWorkload.Share(backlog, streams, s), (Func<int, Envelope>)(i => LoadWorkload.Telemetry($"gnss-{s}", i))))
                .ToList();
            var fill = Stopwatch.StartNew();
            var (refused, bytes) = await LoadWorkload.FillBulkAsync(gateway, observer, work, 1000).ConfigureAwait(false);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"backlog {backlog - refused} telemetry ({bytes / 1048576.0:F1} MiB, {refused} refused) + {warmup} warm-up reads enqueued in {fill.Elapsed.TotalSeconds:F1} s; outbox depth {gateway.Depth()}"));

            // 2. Link up; a read every interval until the outbox is empty.
            observer.ArmDrain();
            await using var fleet = await FleetControlUnderTest.StartAsync(Path.Combine(dir, "fleet"), mqttPort, observer).ConfigureAwait(false);
            await fleet.IngestSubscribed.WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
            await gateway.Connected.WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
            var linkUp = gateway.ConnectedAt;
            var during = await camera.PostEveryAsync(interval, int.MaxValue, observer.Drained).ConfigureAwait(false);
            await observer.Drained.WaitAsync(LongWait).ConfigureAwait(false);
            var drainedAt = observer.DrainedAt;
            await WaitUntilAsync(() => observer.Pending == 0, TimeSpan.FromSeconds(120)).ConfigureAwait(false);
            var drain = Stopwatch.GetElapsedTime(linkUp, drainedAt);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"drained {backlog} telemetry + {during.Count} reads in {drain.TotalSeconds:F1} s; load average {LoadAverage()}"));

            // 3. Baseline: the same reads with nothing queued, same hosts, same run.
            var idle = await camera.PostEveryAsync(interval, reads, null).ConfigureAwait(false);
            await WaitUntilAsync(() => observer.Pending == 0, TimeSpan.FromSeconds(120)).ConfigureAwait(false);

            var busy = during.Where(s => s.Start < drainedAt).ToList();
            Console.WriteLine();
            Report("no backlog (baseline): read POST -> 202", idle.Select(s => Ms(s.Start, s.Accepted)));
            Report("no backlog (baseline): read POST -> leased by uplink", idle.Select(s => Ms(s.Start, observer.LeasedAt(s.MessageId(readIds)))));
            Report("no backlog (baseline): leased -> stored at FleetControl", idle.Select(s => Ms(observer.LeasedAt(s.MessageId(readIds)), observer.StoredAt(s.MessageId(readIds)))));
            Report("no backlog (baseline): read POST -> stored at FleetControl", idle.Select(s => Ms(s.Start, observer.StoredAt(s.MessageId(readIds)))));
            Report($"{backlog} backlog draining: read POST -> 202", busy.Select(s => Ms(s.Start, s.Accepted)));
            Report($"{backlog} backlog draining: read POST -> leased by uplink", busy.Select(s => Ms(s.Start, observer.LeasedAt(s.MessageId(readIds)))));
            Report($"{backlog} backlog draining: leased -> stored at FleetControl", busy.Select(s => Ms(observer.LeasedAt(s.MessageId(readIds)), observer.StoredAt(s.MessageId(readIds)))));
            Report($"{backlog} backlog draining: read POST -> stored at FleetControl", busy.Select(s => Ms(s.Start, observer.StoredAt(s.MessageId(readIds)))));
            var idleStored = Sorted(idle.Select(s => Ms(s.Start, observer.StoredAt(s.MessageId(readIds)))));
            var busyStored = Sorted(busy.Select(s => Ms(s.Start, observer.StoredAt(s.MessageId(readIds)))));
            if (idleStored.Length > 0 && busyStored.Length > 0)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"RATIO read POST -> stored, backlog draining / no backlog: p50 {Percentile(busyStored, 0.5) / Percentile(idleStored, 0.5):F2}, p99 {Percentile(busyStored, 0.99) / Percentile(idleStored, 0.99):F2}"));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"drain {drain.TotalSeconds:F1} s ({backlog / drain.TotalSeconds:F0} env/s); reads during drain {busy.Count}; load average at end {LoadAverage()}"));
            var missing = busy.Concat(idle).Count(s => observer.StoredAt(s.MessageId(readIds)) == 0);
            Console.WriteLine($"reads never seen stored: {missing}");
            return missing == 0 && refused == 0 && busy.Count > 0 ? 0 : 1;
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    private static void Report(string what, IEnumerable<double> values)
    {
        var sorted = Sorted(values);
        Console.WriteLine(sorted.Length == 0
            ? $"{what}: no samples"
            : string.Create(CultureInfo.InvariantCulture,
                $"{what}: n={sorted.Length} p50 {Percentile(sorted, 0.5):F1} ms, p90 {Percentile(sorted, 0.9):F1} ms, p99 {Percentile(sorted, 0.99):F1} ms, max {sorted[^1]:F1} ms"));
    }

    private static double[] Sorted(IEnumerable<double> values) => values.Where(v => !double.IsNaN(v)).Order().ToArray();

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    private static double Percentile(double[] sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    /// <summary>Milliseconds between two Stopwatch timestamps; NaN when the end never happened.</summary>
    private static double Ms(long from, long to) => from == 0 || to == 0 ? double.NaN : Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!condition())
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException("anpr-stored: condition not met within " + timeout);
            }

            await Task.Delay(10).ConfigureAwait(false);
        }
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>One read: POST start and 202 (Stopwatch ticks) and the gateway's read id.</summary>
    private sealed record Sample(string ReadId, long Start, long Accepted)
    {
        public string MessageId(ConcurrentDictionary<string, string> readIds) => readIds.GetValueOrDefault(ReadId, string.Empty);
    }

    /// <summary>A camera POSTing misses (distinct plates) to the gateway's ANPR listener, one at a time.</summary>
    private sealed class Camera(int port, ConcurrentDictionary<string, string> readIds) : IDisposable
    {
        private readonly HttpClient _http = new() { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
        private readonly byte[] _plate = HitLatencyHarness.Image(new Random(1), 20_000);
        private readonly byte[] _overview = HitLatencyHarness.Image(new Random(2), 60_000);
        private int _next;

        public async Task<Sample> PostAsync()
        {
            var n = Interlocked.Increment(ref _next);
            var vrm = string.Create(CultureInfo.InvariantCulture, $"AB{n % 100:D2}{(char)('A' + (n / 100 % 26))}{(char)('A' + (n / 2600 % 26))}{(char)('A' + (n / 67600 % 26))}");
            using var content = new MultipartFormDataContent
            {
                { new StringContent($$"""{"vrm":"{{vrm}}","confidence":0.9,"country":"GB","cameraId":"cam-1","timestamp":"{{TimeProvider.System.GetUtcNow():o}}","lane":"1"}"""), "metadata" },
                { new ByteArrayContent(_plate), "plate", "plate.jpg" },
                { new ByteArrayContent(_overview), "overview", "overview.jpg" },
            };
            var start = Stopwatch.GetTimestamp();
            using var response = await _http.PostAsync(new Uri("/anpr/reads", UriKind.Relative), content).ConfigureAwait(false);
            var accepted = Stopwatch.GetTimestamp();
            response.EnsureSuccessStatusCode();
            var body = await response.Content.ReadFromJsonAsync<Accepted>().ConfigureAwait(false);
            var readId = body?.ReadId ?? throw new InvalidOperationException("202 without a readId");
            if (!readIds.ContainsKey(readId))
            {
                throw new InvalidOperationException($"read {readId} was not seen entering the outbox");
            }

            return new Sample(readId, start, accepted);
        }

        /// <summary>A read every <paramref name="interval"/>, until <paramref name="count"/> or <paramref name="until"/> completes.</summary>
        public async Task<List<Sample>> PostEveryAsync(TimeSpan interval, int count, Task? until)
        {
            var samples = new List<Sample>();
            using var timer = new PeriodicTimer(interval);
            while (samples.Count < count && until?.IsCompleted != true && samples.Count < 100_000)
            {
                await timer.WaitForNextTickAsync().ConfigureAwait(false);
                samples.Add(await PostAsync().ConfigureAwait(false));
            }

            return samples;
        }

        public void Dispose() => _http.Dispose();

        private sealed record Accepted(string ReadId, bool Hit);
    }
}
