using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Devices.InCarVideo.Recording;

/// <summary>
/// One camera's pre-event ring: a supervised ffmpeg that copies the stream (<c>-c copy</c>, no transcoding) into
/// short MPEG-TS segments named <c>seg-{unix start}-{generation}.ts</c>. A segment is closed once a newer one exists
/// (or its ffmpeg is gone); it is hashed then, once. A camera that stops delivering (the newest segment stops
/// growing, or ffmpeg exits) is a fault: ffmpeg is stopped and started again after <see cref="VideoOptions.RestartDelay"/>.
/// Not thread-safe: the recording loop owns it.
/// </summary>
internal sealed partial class CameraRecorder : IDisposable
{
    private const int SigInt = 2;
    private readonly CameraOptions _camera;
    private readonly VideoOptions _options;
    private readonly TimeProvider _time;
    private readonly VideoCounters _counters;
    private readonly ILogger _logger;
    private readonly SortedDictionary<string, RingSegment> _closed = new(StringComparer.Ordinal);
    private Process? _process;
    private int _generation;
    private string? _newest;
    private long _newestBytes;
    private DateTimeOffset _lastGrowth;
    private DateTimeOffset _nextStart;
    private string _lastError = string.Empty;
    private bool _faulted;

    public CameraRecorder(CameraOptions camera, VideoOptions options, string ringDirectory, TimeProvider time, VideoCounters counters, ILogger logger)
    {
        _camera = camera;
        _options = options;
        _time = time;
        _counters = counters;
        _logger = logger;
        Directory = ringDirectory;
        System.IO.Directory.CreateDirectory(Directory);
        KillStale();
        _generation = Segments().Select(s => s.Generation).DefaultIfEmpty(0).Max() + 1;
    }

    /// <summary>The camera's name.</summary>
    public string Name => _camera.Name;

    /// <summary>The ring folder.</summary>
    public string Directory { get; }

    /// <summary>Closed segments still in the ring, oldest first.</summary>
    public IReadOnlyCollection<RingSegment> Closed => _closed.Values;

    /// <summary>Whether the camera is in a fault (not delivering) now.</summary>
    public bool Faulted => _faulted;

    /// <summary>Why it last faulted.</summary>
    public string LastFault { get; private set; } = string.Empty;

    /// <summary>Whether ffmpeg is running now.</summary>
    public bool Running => _process is { HasExited: false };

    /// <summary>Bytes in the ring (closed segments and the one being written).</summary>
    public long Bytes => Segments().Sum(s => Length(s.Path));

    private string PidPath => Path.Combine(Directory, "ffmpeg.pid");

    /// <summary>Starts ffmpeg when it is not running (and the restart delay has passed); faults a stalled one.</summary>
    public void Supervise()
    {
        var now = _time.GetUtcNow();
        if (_process is { HasExited: true } exited)
        {
            Fault($"ffmpeg exited with {exited.ExitCode}: {_lastError}");
        }

        if (_process is null)
        {
            if (now >= _nextStart)
            {
                Start(now);
            }

            return;
        }

        var newest = Segments().Where(s => s.Generation == _generation).Select(s => s.Path).LastOrDefault();
        var bytes = newest is null ? 0 : Length(newest);
        if (newest != _newest || bytes != _newestBytes)
        {
            _newest = newest;
            _newestBytes = bytes;
            _lastGrowth = now;
            if (_faulted)
            {
                _faulted = false;
                _counters.CameraRecovered(Name);
                Log.CameraRecovered(_logger, Name);
            }
        }
        else if (now - _lastGrowth >= _options.StallTimeout)
        {
            Fault($"no data for {_options.StallTimeout}");
        }
    }

    /// <summary>Finds the segments that closed since the last call, hashes them and returns them oldest first.</summary>
    public List<RingSegment> CollectClosed()
    {
        var all = Segments();
        var running = Running;
        var found = new List<RingSegment>();
        for (var i = 0; i < all.Count; i++)
        {
            var (path, start, generation) = all[i];
            var name = Path.GetFileName(path);
            if (_closed.ContainsKey(name))
            {
                continue;
            }

            var newerExists = i + 1 < all.Count;
            if (running && generation == _generation && !newerExists)
            {
                continue; // being written
            }

            var info = new FileInfo(path);
            if (!info.Exists)
            {
                continue;
            }

            var segment = new RingSegment(Name, path, start, new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero), Hash(path), info.Length);
            _closed[name] = segment;
            found.Add(segment);
        }

        return found;
    }

    /// <summary>Drops closed segments that ended before <paramref name="keepFrom"/>; returns the bytes freed.</summary>
    public long DropBefore(DateTimeOffset keepFrom) => Drop(s => s.End < keepFrom);

    /// <summary>Drops the oldest closed segment (over quota); returns the bytes freed, 0 when there is none.</summary>
    public long DropOldest()
    {
        var first = _closed.Values.FirstOrDefault();
        return first is null ? 0 : Drop(s => ReferenceEquals(s, first));
    }

    /// <summary>The start of the oldest closed segment, or null.</summary>
    public DateTimeOffset? OldestStart => _closed.Values.FirstOrDefault()?.Start;

    /// <summary>Stops ffmpeg (SIGINT, so it closes the segment it writes; SIGKILL after 5 s).</summary>
    public void Dispose() => Stop(TimeSpan.FromSeconds(5));

    private long Drop(Func<RingSegment, bool> which)
    {
        long freed = 0;
        foreach (var segment in _closed.Values.Where(which).ToList())
        {
            try
            {
                File.Delete(segment.Path);
            }
            catch (IOException e)
            {
                Log.RingDeleteFailed(_logger, segment.Path, e.Message);
                continue;
            }

            _closed.Remove(segment.Name);
            freed += segment.Bytes;
        }

        return freed;
    }

    private void Start(DateTimeOffset now)
    {
        var pattern = Path.Combine(Directory, string.Create(CultureInfo.InvariantCulture, $"seg-%s-{_generation:D6}.ts"));
        var info = new ProcessStartInfo(_options.FfmpegPath)
        {
            RedirectStandardError = true,
            RedirectStandardInput = false,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in (ReadOnlySpan<string>)["-hide_banner", "-nostdin", "-loglevel", "error", "-analyzeduration", "1000000", "-probesize", "1000000"])
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var arg in _camera.InputOptions.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var arg in (ReadOnlySpan<string>)[
            "-i", _camera.Url, "-map", "0:v", "-map", "0:a?", "-c", "copy",
            "-f", "segment", "-segment_time", _options.SegmentDuration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture),
            "-segment_format", "mpegts", "-reset_timestamps", "1", "-strftime", "1", pattern])
        {
            info.ArgumentList.Add(arg);
        }

        try
        {
            var process = new Process { StartInfo = info };
            process.ErrorDataReceived += (_, e) =>
            {
                if (!string.IsNullOrWhiteSpace(e.Data))
                {
                    _lastError = e.Data;
                }
            };
            process.OutputDataReceived += static (_, _) => { };
            process.Start();
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();
            _process = process;
            File.WriteAllText(PidPath, process.Id.ToString(CultureInfo.InvariantCulture));
            _lastGrowth = now;
            _newest = null;
            _newestBytes = 0;
            Log.CameraStarted(_logger, Name, _camera.Url, _generation, process.Id);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            _process = null;
            _nextStart = now + _options.RestartDelay;
            _lastError = e.Message;
            MarkFaulted($"ffmpeg could not start ({_options.FfmpegPath}): {e.Message}");
        }
    }

    private void Fault(string reason)
    {
        Stop(TimeSpan.FromSeconds(2));
        _generation++;
        _nextStart = _time.GetUtcNow() + _options.RestartDelay;
        MarkFaulted(reason);
    }

    private void MarkFaulted(string reason)
    {
        LastFault = reason;
        _counters.CameraFault(Name);
        if (!_faulted)
        {
            _faulted = true;
            Log.CameraFault(_logger, Name, reason, _options.RestartDelay);
        }
    }

    private void Stop(TimeSpan grace)
    {
        var process = _process;
        _process = null;
        if (process is null)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                _ = SendSignal(process.Id, SigInt);
                if (!process.WaitForExit(grace))
                {
                    process.Kill();
                    process.WaitForExit(grace);
                }
            }
        }
        catch (InvalidOperationException)
        {
        }
        finally
        {
            process.Dispose();
            File.Delete(PidPath);
        }
    }

    /// <summary>An ffmpeg left by a gateway that was killed (SIGKILL, power) still writes this ring: stop it.</summary>
    private void KillStale()
    {
        try
        {
            if (!File.Exists(PidPath) || !int.TryParse(File.ReadAllText(PidPath), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid))
            {
                return;
            }

            var cmdline = $"/proc/{pid}/cmdline";
            if (File.Exists(cmdline) && File.ReadAllText(cmdline).Contains(Directory, StringComparison.Ordinal))
            {
                using var stale = Process.GetProcessById(pid);
                stale.Kill();
                stale.WaitForExit(TimeSpan.FromSeconds(5));
                Log.StaleRecorderStopped(_logger, Name, pid);
            }

            File.Delete(PidPath);
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            Log.RingDeleteFailed(_logger, PidPath, e.Message);
        }
    }

    private List<(string Path, DateTimeOffset Start, int Generation)> Segments()
    {
        var list = new List<(string, DateTimeOffset, int)>();
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory, "seg-*.ts"))
        {
            var parts = Path.GetFileNameWithoutExtension(path).Split('-');
            if (parts.Length == 3
                && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var generation))
            {
                list.Add((path, DateTimeOffset.FromUnixTimeSeconds(seconds), generation));
            }
        }

        list.Sort(static (a, b) => a.Item2 != b.Item2 ? a.Item2.CompareTo(b.Item2) : a.Item3.CompareTo(b.Item3));
        return list;
    }

    private static long Length(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? info.Length : 0;
    }

    internal static string Hash(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, FileOptions.SequentialScan);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);
}
