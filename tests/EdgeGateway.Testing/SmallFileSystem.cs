using System.Diagnostics;
using System.Globalization;

namespace EdgeGateway.Testing;

/// <summary>
/// A real, small file system for disk-full tests: a tmpfs of a given size mounted on a fresh temp
/// folder (unmounted on dispose), and a filler file that another program would be: <see cref="Fill"/>
/// writes it until the disk is full, <see cref="Free"/> deletes it.
/// </summary>
/// <remarks>
/// Mounting needs root (or CAP_SYS_ADMIN), which CI and this project's test machine have. Where it
/// is not permitted, <see cref="Mount"/> throws with a message saying so: the test fails, it never skips.
/// </remarks>
public sealed class SmallFileSystem : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    private SmallFileSystem(string path, long sizeBytes)
    {
        Path = path;
        SizeBytes = sizeBytes;
    }

    /// <summary>The mount point.</summary>
    public string Path { get; }

    /// <summary>The file system's size.</summary>
    public long SizeBytes { get; }

    /// <summary>The other program's file.</summary>
    public string FillerPath => System.IO.Path.Combine(Path, "filler.bin");

    /// <summary>Free bytes as the kernel reports them (statvfs).</summary>
    public long FreeBytes => new DriveInfo(Path).AvailableFreeSpace;

    /// <summary>
    /// Mounts a tmpfs of <paramref name="sizeBytes"/> on <paramref name="at"/> (created, must be empty)
    /// or on a fresh folder under the temp folder.
    /// </summary>
    public static SmallFileSystem Mount(long sizeBytes, string? at = null)
    {
        var path = System.IO.Path.GetFullPath(at ?? System.IO.Path.Combine(System.IO.Path.GetTempPath(), "edge-smallfs-" + Guid.NewGuid().ToString("N")[..12]));
        Directory.CreateDirectory(path);
        var (exit, output) = Run("mount", "-t", "tmpfs", "-o", "size=" + sizeBytes.ToString(CultureInfo.InvariantCulture), "tmpfs", path);
        if (exit != 0)
        {
            Directory.Delete(path);
            throw new InvalidOperationException(
                $"Cannot mount a {sizeBytes}-byte tmpfs on {path} (mount exited {exit}: {output.Trim()}). The disk-full tests need a " +
                "real small file system: run them as root or with CAP_SYS_ADMIN, as CI does.");
        }

        return new SmallFileSystem(path, sizeBytes);
    }

    /// <summary>
    /// Fills the disk as a program writing one big file would: it takes what is free when it starts and
    /// stops there, or at the first "No space left on device". Returns the filler's size.
    /// </summary>
    /// <remarks>
    /// It never writes on after that error. A gateway that meets the full disk deletes its urgent reserve file
    /// to make room for Emergency and Alert; a filler that kept topping up would take that room back, and the
    /// disk-full tests would then fail or pass by timing (soak run 5 of 2026-12-01).
    /// </remarks>
    public long Fill()
    {
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)0x5A);
        var left = FreeBytes;
        using var file = new FileStream(FillerPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
        try
        {
            while (left > 0)
            {
                var count = (int)Math.Min(chunk.Length, left);
                file.Write(chunk, 0, count);
                left -= count;
            }
        }
        catch (IOException)
        {
            // ENOSPC: something else took the last bytes first. The disk is full either way.
        }

        return file.Length;
    }

    /// <summary>Deletes the filler file: the other program gives its space back.</summary>
    public void Free() => File.Delete(FillerPath);

    public void Dispose()
    {
        if (Run("umount", Path).Exit != 0)
        {
            Run("umount", "-l", Path); // something still holds a file open: detach now, freed when closed
        }

        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Still mounted lazily; the folder is empty once the last handle closes.
        }
    }

    private static (int Exit, string Output) Run(string command, params string[] arguments)
    {
        var info = new ProcessStartInfo(command)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(info) ?? throw new InvalidOperationException(command + " did not start");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(CommandTimeout))
            {
                process.Kill();
                return (-1, $"{command} did not finish within {CommandTimeout}");
            }

            return (process.ExitCode, stdout.Result + stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, $"{command}: {e.Message}");
        }
    }
}
