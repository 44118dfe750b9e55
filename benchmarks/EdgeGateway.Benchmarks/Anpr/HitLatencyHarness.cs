using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Devices.Anpr;
using EdgeGateway.Devices.Anpr.Hotlists;
using EdgeGateway.Hosting;
using EdgeGateway.Outbox;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Benchmarks.Anpr;

/// <summary>
/// <c>anpr-latency [--reads 400] [--entries 1000000]</c>: the gateway in-process with its real outbox (LiteDB, fsync per
/// group commit) and the ANPR listener on loopback, a hotlist of N entries, and an in-car terminal on <c>/anpr/events</c>.
/// Reads are POSTed one at a time with a 20 KB plate patch and a 60 KB overview, alternately a hit and a miss. Measured:
/// POST start → the hit's server-sent event at the terminal (the officer alert), against the baseline POST start → 202
/// for a miss (the camera's read stored durably), in the same run. Hits are not suppressed (window 0).
/// </summary>
internal static class HitLatencyHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        var reads = HarnessSupport.Option(args, "--reads", 400);
        var entries = HarnessSupport.Option(args, "--entries", 1_000_000);
        var port = HarnessSupport.FreePort();
        var data = Path.Combine(Path.GetTempPath(), "anpr-latency-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(data);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = data });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:DeviceId"] = "bench-anpr",
            ["Gateway:Role"] = "Vehicle",
            ["Gateway:DataDirectory"] = data,
            ["Outbox:FreeDiskReserveBytes"] = "0",
            ["Anpr:Enabled"] = "true",
            ["Anpr:Port"] = port.ToString(CultureInfo.InvariantCulture),
            ["Anpr:HitSuppressionWindow"] = "00:00:00",
        });
        builder.Logging.SetMinimumLevel(LogLevel.Error);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.SectionName);
        builder.Services.AddOutbox(builder.Configuration);
        builder.Services.AddAnpr(builder.Configuration);
        using var host = builder.Build();
        await host.StartAsync().ConfigureAwait(false);
        try
        {
            var vrms = HotlistMatchBenchmarks.UniquePlates(new Random(7), entries + reads);
            var snapshot = new HotlistUpdate { Version = 1, Part = 1, Parts = 1 };
            snapshot.Upserts.AddRange(vrms.Take(entries).Select(v => new HotlistEntry { Vrm = v, List = "stolen", Reason = "r" }));
            var build = Stopwatch.StartNew();
            host.Services.GetRequiredService<HotlistHolder>().Apply(snapshot);
            Console.WriteLine($"hotlist of {entries:N0} entries built, saved and swapped in {build.ElapsedMilliseconds} ms");
            await host.Services.GetRequiredService<AnprCameraListener>().Listening.Task.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);

            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
            using var terminal = new HttpClient { BaseAddress = http.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
            var arrived = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
            using var stop = new CancellationTokenSource();
            var stream = await terminal.GetStreamAsync("/anpr/events", stop.Token).ConfigureAwait(false);
            var listen = Task.Run(async () =>
            {
                using var reader = new StreamReader(stream);
                while (await reader.ReadLineAsync(stop.Token).ConfigureAwait(false) is { } line)
                {
                    if (line.StartsWith("data: ", StringComparison.Ordinal))
                    {
                        var now = Stopwatch.GetTimestamp();
                        using var doc = System.Text.Json.JsonDocument.Parse(line.AsMemory(6));
                        arrived[doc.RootElement.GetProperty("vrm").GetString()!] = now;
                    }
                }
            });

            var random = new Random(1);
            var plate = Image(random, 20_000);
            var overview = Image(random, 60_000);
            var hitLatency = new List<double>();
            var missLatency = new List<double>();
            for (var i = 0; i < reads; i++)
            {
                var hit = i % 2 == 0;
                var vrm = hit ? vrms[random.Next(entries)] : vrms[entries + i];
                arrived.TryRemove(vrm, out _);
                using var content = new MultipartFormDataContent
                {
                    { new StringContent($$"""{"vrm":"{{vrm}}","confidence":0.9,"country":"GB","cameraId":"cam-1","timestamp":"{{TimeProvider.System.GetUtcNow():o}}","lane":"1"}"""), "metadata" },
                    { new ByteArrayContent(plate), "plate", "plate.jpg" },
                    { new ByteArrayContent(overview), "overview", "overview.jpg" },
                };
                var start = Stopwatch.GetTimestamp();
                using var response = await http.PostAsync("/anpr/reads", content).ConfigureAwait(false);
                var done = Stopwatch.GetTimestamp();
                response.EnsureSuccessStatusCode();
                if (hit)
                {
                    var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 10;
                    long at;
                    while (!arrived.TryGetValue(vrm, out at))
                    {
                        if (Stopwatch.GetTimestamp() > deadline)
                        {
                            throw new TimeoutException($"no hit event for {vrm}");
                        }

                        await Task.Yield();
                    }

                    hitLatency.Add(Stopwatch.GetElapsedTime(start, at).TotalMilliseconds);
                }
                else
                {
                    missLatency.Add(Stopwatch.GetElapsedTime(start, done).TotalMilliseconds);
                }
            }

            await stop.CancelAsync().ConfigureAwait(false);
            await listen.ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            Report("read -> stored, 202 to the camera (baseline)", missLatency);
            Report("read -> hit alert on the in-car stream", hitLatency);
            Console.WriteLine($"ratio p50 {Percentile(hitLatency, 50) / Percentile(missLatency, 50):F2}, p99 {Percentile(hitLatency, 99) / Percentile(missLatency, 99):F2}");
            return 0;
        }
        finally
        {
            await host.StopAsync().ConfigureAwait(false);
            Directory.Delete(data, recursive: true);
        }
    }

    internal static byte[] Image(Random random, int size)
    {
        var bytes = new byte[size];
        random.NextBytes(bytes);
        bytes[0] = 0xFF;
        bytes[1] = 0xD8;
        bytes[2] = 0xFF;
        return bytes;
    }

    private static void Report(string what, List<double> samples) =>
        Console.WriteLine($"{what}: n={samples.Count} p50 {Percentile(samples, 50):F1} ms, p90 {Percentile(samples, 90):F1} ms, p99 {Percentile(samples, 99):F1} ms, max {samples.Max():F1} ms");

    private static double Percentile(List<double> samples, double p)
    {
        var sorted = samples.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p / 100 * sorted.Count) - 1)];
    }
}
