using System.Diagnostics;
using System.Globalization;

namespace EdgeGateway.Simulators.InCarCamera;

/// <summary>
/// A simulated in-car camera: a real ffmpeg generating a test pattern with a burnt-in UTC clock and frame counter,
/// H.264 at a low resolution (one key frame per second, SPS/PPS repeated so a recorder can join at any time), pushed
/// as MPEG-TS over UDP to 127.0.0.1, as many encoders push it. The gateway records <see cref="RecorderUrl"/>.
/// </summary>
public sealed class InCarCameraSimulator : IAsyncDisposable
{
    private const string Font = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    private readonly Process _process;

    private InCarCameraSimulator(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    /// <summary>The UDP port the stream goes to.</summary>
    public int Port { get; }

    /// <summary>What the gateway records: the stream, with a 5 s read timeout so a dead camera ends ffmpeg (a fault, then a reconnect).</summary>
    public string RecorderUrl => string.Create(CultureInfo.InvariantCulture, $"udp://127.0.0.1:{Port}?timeout=5000000&overrun_nonfatal=1&fifo_size=1000000");

    /// <summary>Whether ffmpeg still runs.</summary>
    public bool Running => !_process.HasExited;

    /// <summary>Starts ffmpeg; its messages go to <paramref name="logFile"/>.</summary>
    public static InCarCameraSimulator Start(string name, int port, string logFile, int width = 320, int height = 180, int fps = 10, string ffmpeg = "ffmpeg")
    {
        var text = File.Exists(Font)
            ? string.Create(CultureInfo.InvariantCulture, $"drawtext=fontfile={Font}:fontsize={Math.Max(10, height / 12)}:fontcolor=white:box=1:boxcolor=black:text={name} %{{gmtime}} UTC frame %{{n}}")
            : "null";
        var info = new ProcessStartInfo(ffmpeg) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in (ReadOnlySpan<string>)[
            "-hide_banner", "-nostdin", "-loglevel", "error", "-re",
            "-f", "lavfi", "-i", string.Create(CultureInfo.InvariantCulture, $"testsrc=size={width}x{height}:rate={fps}"),
            "-vf", text, "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
            "-g", fps.ToString(CultureInfo.InvariantCulture), "-x264-params", "repeat-headers=1", "-pix_fmt", "yuv420p",
            "-f", "mpegts", string.Create(CultureInfo.InvariantCulture, $"udp://127.0.0.1:{port}?pkt_size=1316")])
        {
            info.ArgumentList.Add(arg);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logFile))!);
        var log = new StreamWriter(logFile, append: true) { AutoFlush = true };
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var gate = new Lock();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lock (gate)
                {
                    log.WriteLine(line);
                }
            }
        };
        process.OutputDataReceived += static (_, _) => { };
        process.Exited += (_, _) =>
        {
            lock (gate)
            {
                log.Dispose();
            }
        };
        if (!process.Start())
        {
            throw new InvalidOperationException($"{ffmpeg} did not start");
        }

        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return new InCarCameraSimulator(process, port);
    }

    /// <summary>Stops the camera (the stream ends; a recorder sees a dead camera after its timeout).</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }

        _process.Dispose();
    }
}
