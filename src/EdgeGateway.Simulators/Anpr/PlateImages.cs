using System.Collections.Concurrent;
using System.Diagnostics;

namespace EdgeGateway.Simulators.Anpr;

/// <summary>
/// Real JPEGs rendered by ffmpeg: the plate patch is the VRM in black on a plate-coloured patch (yellow rear,
/// white front), the overview a test scene with the VRM captioned. Each VRM is rendered once and cached in memory.
/// </summary>
internal sealed class PlateImages(string workDirectory)
{
    private readonly ConcurrentDictionary<string, Task<(byte[] Plate, byte[] Overview)>> _cache = new(StringComparer.Ordinal);

    public Task<(byte[] Plate, byte[] Overview)> GetAsync(string vrm, bool rear, CancellationToken cancellationToken) =>
        _cache.GetOrAdd($"{vrm}|{rear}", _ => RenderAsync(vrm, rear, cancellationToken));

    private async Task<(byte[], byte[])> RenderAsync(string vrm, bool rear, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(workDirectory);
        var stem = Path.Combine(workDirectory, Guid.NewGuid().ToString("N"));
        var text = vrm.Replace(":", string.Empty, StringComparison.Ordinal).Replace("'", string.Empty, StringComparison.Ordinal);
        var colour = rear ? "0xF7D117" : "0xF4F4F4";
        await FfmpegAsync(["-f", "lavfi", "-i", $"color=c={colour}:s=520x112",
            "-vf", $"drawtext=text='{text}':fontsize=84:fontcolor=black:x=(w-text_w)/2:y=(h-text_h)/2", "-frames:v", "1", stem + "-plate.jpg"], cancellationToken).ConfigureAwait(false);
        await FfmpegAsync(["-f", "lavfi", "-i", "testsrc2=s=640x360",
            "-vf", $"drawtext=text='{text}':fontsize=28:fontcolor=black:box=1:boxcolor={colour}:x=(w-text_w)/2:y=h-60", "-frames:v", "1", stem + "-overview.jpg"], cancellationToken).ConfigureAwait(false);
        try
        {
            return (await File.ReadAllBytesAsync(stem + "-plate.jpg", cancellationToken).ConfigureAwait(false),
                await File.ReadAllBytesAsync(stem + "-overview.jpg", cancellationToken).ConfigureAwait(false));
        }
        finally
        {
            File.Delete(stem + "-plate.jpg");
            File.Delete(stem + "-overview.jpg");
        }
    }

    private static async Task FfmpegAsync(string[] args, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { "-y", "-loglevel", "error" }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        using var ffmpeg = Process.Start(start) ?? throw new InvalidOperationException("ffmpeg did not start");
        var errors = ffmpeg.StandardError.ReadToEndAsync(cancellationToken);
        await ffmpeg.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (ffmpeg.ExitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg failed ({ffmpeg.ExitCode}): {await errors.ConfigureAwait(false)}");
        }
    }
}
