using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Devices.InCarVideo;
using EdgeGateway.Devices.InCarVideo.Recording;
using EdgeGateway.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Benchmarks.Video;

/// <summary>
/// Trigger → recording kept, p50/p99: the gateway's recorder (the registered <c>AddInCarVideo</c> services, one camera
/// recording a 1080p H.264 stream into its ring) gets a trigger; the recording is kept when the pre-event footage has
/// been copied out of the ring into the clip's staging folder, each segment fsynced, hashed and written to the clip's
/// custody log, the incident json written: the moment the recorder emits <c>video.incident_started</c>. Beside it, in
/// the same run and after each trigger, the baseline: the same ring segments copied, fsynced and hashed by a plain loop
/// (the I/O floor of keeping them). Clips are held by the bearer policy (a depot network that never matches), so no
/// upload runs; the next trigger waits for the previous clip to be assembled and held.
/// <c>dotnet run -c Release --project benchmarks/EdgeGateway.Benchmarks -- video-trigger [--triggers 40] [--pre-event 30] [--size 1920x1080] [--fps 25] [--bitrate 4M] [--dir DIR]</c>
/// </summary>
internal static class VideoTriggerHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        var triggers = int.Parse(VideoRingHarness.Option(args, "--triggers") ?? "40", CultureInfo.InvariantCulture);
        var preEvent = int.Parse(VideoRingHarness.Option(args, "--pre-event") ?? "30", CultureInfo.InvariantCulture);
        var size = VideoRingHarness.Option(args, "--size") ?? "1920x1080";
        var fps = VideoRingHarness.Option(args, "--fps") ?? "25";
        var bitrate = VideoRingHarness.Option(args, "--bitrate") ?? "4M";
        var root = VideoRingHarness.Option(args, "--dir") ?? Path.Combine(Path.GetTempPath(), "eg-video-trigger-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(root);
        var clip = Path.Combine(root, "camera.ts");
        Console.WriteLine($"video-trigger: {Environment.ProcessorCount} cores, load average {LoadAverage()}; preparing a 10 s {size} {fps} fps {bitrate} H.264 clip");
        await VideoRingHarness.RunToEndAsync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", $"testsrc2=size={size}:rate={fps}", "-t", "10",
            "-c:v", "libx264", "-preset", "ultrafast", "-b:v", bitrate, "-g", fps, "-x264-params", "repeat-headers=1", "-pix_fmt", "yuv420p", "-f", "mpegts", clip]);
        var port = VideoRingHarness.FreeUdpPort();
        using var camera = VideoRingHarness.Start("ffmpeg", ["-hide_banner", "-loglevel", "error", "-nostdin", "-re", "-stream_loop", "-1", "-i", clip, "-c", "copy", "-f", "mpegts", $"udp://127.0.0.1:{port}?pkt_size=1316"]);

        var data = Path.Combine(root, "data");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:DeviceId"] = "vehicle-bench",
            ["Gateway:DataDirectory"] = data,
            ["Gateway:FleetControlUrl"] = "http://127.0.0.1:9",
            ["Security:DevelopmentPlaintext"] = "true",
            ["Evidence:MinFreeDiskBytes"] = "0",
            ["Video:Enabled"] = "true",
            ["Video:Cameras:0:Name"] = "front",
            ["Video:Cameras:0:Url"] = $"udp://127.0.0.1:{port}?timeout=5000000&overrun_nonfatal=1&fifo_size=1000000",
            ["Video:PreEvent"] = TimeSpan.FromSeconds(preEvent).ToString("c", CultureInfo.InvariantCulture),
            ["Video:PostEvent"] = "00:00:00",
            ["Video:Depot:Networks:0"] = "192.0.2.0/24", // never the route: every clip is held, no upload runs
        });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.SectionName);
        var sink = new KeptSink();
        builder.Services.AddSingleton<IObservationSink>(sink);
        builder.Services.AddInCarVideo(builder.Configuration);
        using var host = builder.Build();
        await host.StartAsync();
        var counters = host.Services.GetRequiredService<VideoCounters>();
        var publisher = host.Services.GetRequiredService<ITriggerPublisher>();
        var finisher = host.Services.GetRequiredService<ClipFinisher>();
        var ring = Path.Combine(data, "video", "ring", "front");
        Console.WriteLine($"filling the {preEvent} s pre-event ring");
        while (counters.Segments < (preEvent / 2) + 3)
        {
            await Task.Delay(500);
        }

        var kept = new List<double>();
        var baseline = new List<double>();
        var segmentsPerClip = new List<int>();
        var scratch = Path.Combine(root, "baseline");
        for (var i = 0; i < triggers; i++)
        {
            var waiter = sink.Next();
            var started = Stopwatch.GetTimestamp();
            publisher.Publish(new TriggerSignal(TriggerSources.LightBar, TriggerState.Pulse, TimeProvider.System.GetUtcNow(), "benchmark"));
            var evidenceId = await waiter.WaitAsync(TimeSpan.FromMinutes(2));
            kept.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            var segments = Directory.GetFiles(finisher.SegmentDirectory(evidenceId), "seg-*.ts").Length;
            segmentsPerClip.Add(segments);

            // The baseline: the same closed ring segments, copied, fsynced and hashed by a plain loop.
            Directory.CreateDirectory(scratch);
            var files = Directory.GetFiles(ring, "seg-*.ts").Order(StringComparer.Ordinal).SkipLast(1).TakeLast(segments).ToList();
            var plain = Stopwatch.GetTimestamp();
            foreach (var file in files)
            {
                var target = Path.Combine(scratch, Path.GetFileName(file));
                using (var source = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
                using (var copy = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None))
                {
                    source.CopyTo(copy);
                    copy.Flush(true);
                }

                using var read = File.OpenRead(target);
                _ = SHA256.HashData(read);
            }

            baseline.Add(Stopwatch.GetElapsedTime(plain).TotalMilliseconds);
            Directory.Delete(scratch, recursive: true);

            // The next trigger must open a new incident: wait until this one's clip is assembled and held.
            while (counters.Held < i + 1)
            {
                await Task.Delay(100);
            }
        }

        Console.WriteLine($"{triggers} triggers; {segmentsPerClip.Average():0.0} pre-event segments kept per trigger; load average at the end {LoadAverage()}");
        Console.WriteLine("| trigger → recording kept | p50 ms | p99 ms | max ms | p99 x baseline |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        Console.WriteLine($"| baseline: the same segments copied, fsynced, hashed by a plain loop | {Percentile(baseline, 0.50):0.0} | {Percentile(baseline, 0.99):0.0} | {baseline.Max():0.0} | 1.00 |");
        Console.WriteLine($"| gateway recorder: trigger → pre-event footage in the clip, fsynced, in custody | {Percentile(kept, 0.50):0.0} | {Percentile(kept, 0.99):0.0} | {kept.Max():0.0} | {Percentile(kept, 0.99) / Percentile(baseline, 0.99):0.00} |");
        await host.StopAsync();
        camera.Kill();
        Directory.Delete(root, recursive: true);
        return 0;
    }

    /// <summary>Completes when the recorder emits <c>video.incident_started</c> (after the pre-event footage is kept).</summary>
    private sealed class KeptSink : IObservationSink
    {
        private TaskCompletionSource<string> _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<string> Next()
        {
            _next = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            return _next.Task;
        }

        public ValueTask<EnqueueResult> AcceptAsync(Envelope envelope, CancellationToken cancellationToken)
        {
            if (envelope.Event?.Type == "video.incident_started")
            {
                _next.TrySetResult(envelope.Event.Attributes["evidence_ids"]);
            }

            return ValueTask.FromResult(EnqueueResult.Accepted);
        }
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }

    private static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];
}
