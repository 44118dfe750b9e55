using System.Diagnostics;
using System.Globalization;
using EdgeGateway.Devices.InCarVideo.Recording;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeGateway.Benchmarks.Video;

/// <summary>
/// What one camera costs while it only buffers: the gateway's pre-event ring (<see cref="CameraRecorder"/>: ffmpeg
/// <c>-c copy</c> into segments, plus the gateway's per-second check: close, hash, drop) beside plain
/// <c>ffmpeg -c copy</c> to one file, in the same run, each fed its own copy of the same camera stream (a 1080p H.264
/// clip looped in real time as MPEG-TS over UDP, so no encoder runs during the window).
/// <c>dotnet run -c Release --project benchmarks/EdgeGateway.Benchmarks -- video-ring [--seconds 60] [--size 1920x1080] [--fps 25] [--bitrate 4M] [--dir DIR]</c>
/// </summary>
internal static class VideoRingHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = int.Parse(Option(args, "--seconds") ?? "60", CultureInfo.InvariantCulture);
        var size = Option(args, "--size") ?? "1920x1080";
        var fps = Option(args, "--fps") ?? "25";
        var bitrate = Option(args, "--bitrate") ?? "4M";
        var root = Option(args, "--dir") ?? Path.Combine(Path.GetTempPath(), "eg-video-ring-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(root);
        var clip = Path.Combine(root, "camera.ts");
        Console.WriteLine($"video-ring: 2 cores, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}; preparing a 10 s {size} {fps} fps {bitrate} H.264 clip");
        await RunToEndAsync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", $"testsrc2=size={size}:rate={fps}", "-t", "10",
            "-c:v", "libx264", "-preset", "ultrafast", "-b:v", bitrate, "-g", fps, "-x264-params", "repeat-headers=1", "-pix_fmt", "yuv420p", "-f", "mpegts", clip]);

        var basePort = FreeUdpPort();
        var ringPort = FreeUdpPort();
        using var cameraA = Start("ffmpeg", ["-hide_banner", "-loglevel", "error", "-nostdin", "-re", "-stream_loop", "-1", "-i", clip, "-c", "copy", "-f", "mpegts", $"udp://127.0.0.1:{basePort}?pkt_size=1316"]);
        using var cameraB = Start("ffmpeg", ["-hide_banner", "-loglevel", "error", "-nostdin", "-re", "-stream_loop", "-1", "-i", clip, "-c", "copy", "-f", "mpegts", $"udp://127.0.0.1:{ringPort}?pkt_size=1316"]);
        var input = "?timeout=5000000&overrun_nonfatal=1&fifo_size=1000000";
        var plainFile = Path.Combine(root, "plain.ts");
        using var plain = Start("ffmpeg", ["-hide_banner", "-loglevel", "error", "-nostdin", "-analyzeduration", "1000000", "-probesize", "1000000",
            "-i", $"udp://127.0.0.1:{basePort}{input}", "-map", "0:v", "-c", "copy", "-f", "mpegts", "-y", plainFile]);
        var options = new VideoOptions { SegmentDuration = TimeSpan.FromSeconds(2), PreEvent = TimeSpan.FromSeconds(30) };
        var counters = new VideoCounters();
        using var ring = new CameraRecorder(new CameraOptions { Name = "front", Url = $"udp://127.0.0.1:{ringPort}{input}" }, options,
            Path.Combine(root, "ring"), TimeProvider.System, counters, NullLogger.Instance);
        ring.Supervise();
        var ringPid = int.Parse(File.ReadAllText(Path.Combine(root, "ring", "ffmpeg.pid")), CultureInfo.InvariantCulture);

        // Warm up (probe, first segments, JIT), then measure.
        for (var i = 0; i < 15; i++)
        {
            Check(ring, options);
            await Task.Delay(1000);
        }

        var self = Process.GetCurrentProcess();
        var (plainCpu0, plainIo0) = (CpuSeconds(plain.Id), WrittenBytes(plain.Id));
        var (ringCpu0, ringIo0) = (CpuSeconds(ringPid), WrittenBytes(ringPid));
        var (plainDisk0, ringDisk0, selfDisk0) = (Io(plain.Id), Io(ringPid), Io(Environment.ProcessId));
        self.Refresh();
        var selfCpu0 = self.TotalProcessorTime;
        var checkCpu = TimeSpan.Zero;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < seconds; i++)
        {
            var started = Stopwatch.GetTimestamp();
            Check(ring, options);
            checkCpu += Stopwatch.GetElapsedTime(started);
            await Task.Delay(1000);
        }

        var window = clock.Elapsed.TotalSeconds;
        self.Refresh();
        var plainCpu = (CpuSeconds(plain.Id) - plainCpu0) / window;
        var ringCpu = (CpuSeconds(ringPid) - ringCpu0) / window;
        var selfCpu = (self.TotalProcessorTime - selfCpu0).TotalSeconds / window;
        var plainIo = (WrittenBytes(plain.Id) - plainIo0) / window;
        var ringIo = (WrittenBytes(ringPid) - ringIo0) / window;
        Console.WriteLine($"window {window:0.0} s; load average at the end {File.ReadAllText("/proc/loadavg").Split(' ')[0]}; ring segments closed and hashed {_closed}, ring bytes {ring.Bytes}");
        Console.WriteLine("| per camera, 1080p H.264 -c copy | CPU, % of one core | x plain | written MB/s |");
        Console.WriteLine("|---|---:|---:|---:|");
        Console.WriteLine($"| plain `ffmpeg -c copy` to one file (baseline) | {plainCpu * 100:0.00}% | 1.00 | {plainIo / 1e6:0.00} |");
        Console.WriteLine($"| gateway ring: ffmpeg segmenter | {ringCpu * 100:0.00}% | {ringCpu / plainCpu:0.00} | {ringIo / 1e6:0.00} |");
        Console.WriteLine($"| gateway ring: ffmpeg + the gateway's check (close, hash, drop; whole harness process) | {(ringCpu + selfCpu) * 100:0.00}% | {(ringCpu + selfCpu) / plainCpu:0.00} | |");
        Console.WriteLine($"  of which the check itself, wall time: {checkCpu.TotalMilliseconds / window:0.0} ms per second");

        // Disk bandwidth per camera, from /proc/PID/io: the syscalls (wchar/rchar, page cache included) and what the
        // block layer was asked for (write_bytes/read_bytes), with cancelled_write_bytes (dirty pages deleted before
        // writeback: ring segments dropped before the kernel wrote them out; accounted to the process that deletes).
        var (plainDisk, ringDisk, selfDisk) = (Io(plain.Id), Io(ringPid), Io(Environment.ProcessId));
        string Rate(Dictionary<string, long> after, Dictionary<string, long> before, string key) =>
            ((after.GetValueOrDefault(key) - before.GetValueOrDefault(key)) / window / 1e6).ToString("0.00", CultureInfo.InvariantCulture);
        Console.WriteLine("| disk, MB/s per camera | write syscalls (wchar) | to the block device (write_bytes) | dirty pages deleted before writeback (cancelled_write_bytes) | read syscalls (rchar) | read from the block device (read_bytes) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var (name, after, before) in new[]
        {
            ("plain `ffmpeg -c copy` to one file (baseline)", plainDisk, plainDisk0),
            ("gateway ring: ffmpeg segmenter", ringDisk, ringDisk0),
            ("gateway ring: the gateway's check (hash each closed segment, drop the old; whole harness process)", selfDisk, selfDisk0),
        })
        {
            Console.WriteLine($"| {name} | {Rate(after, before, "wchar")} | {Rate(after, before, "write_bytes")} | {Rate(after, before, "cancelled_write_bytes")} | {Rate(after, before, "rchar")} | {Rate(after, before, "read_bytes")} |");
        }

        foreach (var p in new[] { cameraA, cameraB, plain })
        {
            p.Kill();
        }

        return 0;
    }

    private static void Check(CameraRecorder ring, VideoOptions options)
    {
        ring.Supervise();
        _closed += ring.CollectClosed().Count;
        ring.DropBefore(TimeProvider.System.GetUtcNow() - options.PreEvent - options.SegmentDuration);
    }

    private static int _closed;

    private static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    /// <summary>Every counter of <c>/proc/PID/io</c>, by name.</summary>
    private static Dictionary<string, long> Io(int pid) =>
        File.ReadAllLines($"/proc/{pid}/io")
            .Select(l => l.Split(':', 2))
            .Where(f => f.Length == 2)
            .ToDictionary(f => f[0].Trim(), f => long.Parse(f[1].Trim(), CultureInfo.InvariantCulture), StringComparer.Ordinal);

    private static long WrittenBytes(int pid)
    {
        foreach (var line in File.ReadAllLines($"/proc/{pid}/io"))
        {
            if (line.StartsWith("wchar:", StringComparison.Ordinal))
            {
                return long.Parse(line[6..].Trim(), CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    internal static Process Start(string file, string[] arguments)
    {
        var info = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardError = false };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        return Process.Start(info)!;
    }

    internal static async Task RunToEndAsync(string file, string[] arguments)
    {
        using var process = Start(file, arguments);
        await process.WaitForExitAsync();
    }

    internal static int FreeUdpPort()
    {
        using var socket = new System.Net.Sockets.UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        return ((System.Net.IPEndPoint)socket.Client.LocalEndPoint!).Port;
    }

    internal static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
