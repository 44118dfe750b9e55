using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;

namespace EdgeGateway.Simulators.Dock;

/// <summary>
/// Makes recordings: one real H.264/MP4 test clip rendered once with ffmpeg, then per recording a
/// copy made unique (and, for big recordings, grown to the wanted size) by a trailing MP4
/// <c>free</c> box, which players ignore. Big payloads are real bytes (no sparse files): a random
/// block repeated with a block counter, so every file and every block hashes differently.
/// </summary>
internal sealed class ClipFactory(string cacheDirectory)
{
    private const int BlockSize = 4 * 1024 * 1024;

    public async Task<string> EnsureSeedClipAsync(int seconds, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(cacheDirectory);
        var path = Path.Combine(cacheDirectory, string.Create(CultureInfo.InvariantCulture, $"seed-{seconds}s.mp4"));
        if (File.Exists(path))
        {
            return path;
        }

        var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp.mp4"; // concurrent runs may share the cache
        var start = new ProcessStartInfo("ffmpeg")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "-y", "-loglevel", "error", "-f", "lavfi",
            "-i", string.Create(CultureInfo.InvariantCulture, $"testsrc=duration={seconds}:size=320x240:rate=15"),
            "-pix_fmt", "yuv420p", temp,
        })
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

        File.Move(temp, path, overwrite: true);
        return path;
    }

    /// <summary>Writes a recording of exactly <paramref name="size"/> bytes (or the clip plus a small unique box when smaller).</summary>
    public static async Task WriteRecordingAsync(string seedClip, string path, long size, int uniqueSeed, CancellationToken cancellationToken)
    {
        var clip = await File.ReadAllBytesAsync(seedClip, cancellationToken).ConfigureAwait(false);
        const int header = 16; // size32 = 1, "free", size64
        var payload = Math.Max(16, size - clip.Length - header);
        await using var output = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
        await output.WriteAsync(clip, cancellationToken).ConfigureAwait(false);
        var box = new byte[header];
        BinaryPrimitives.WriteUInt32BigEndian(box, 1);
        "free"u8.CopyTo(box.AsSpan(4));
        BinaryPrimitives.WriteUInt64BigEndian(box.AsSpan(8), (ulong)(header + payload));
        await output.WriteAsync(box, cancellationToken).ConfigureAwait(false);

        var block = new byte[(int)Math.Min(BlockSize, payload)];
        new Random(uniqueSeed).NextBytes(block);
        long written = 0;
        long counter = 0;
        while (written < payload)
        {
            BinaryPrimitives.WriteInt64LittleEndian(block, counter++);
            BinaryPrimitives.WriteInt32LittleEndian(block.AsSpan(8), uniqueSeed);
            var n = (int)Math.Min(block.Length, payload - written);
            await output.WriteAsync(block.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            written += n;
        }
    }
}
