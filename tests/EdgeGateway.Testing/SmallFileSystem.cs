using System.Diagnostics;
using System.Globalization;

namespace EdgeGateway.Testing;

/// <summary>
/// A real, small file system for disk-full tests: a tmpfs of a given size mounted on a fresh temp
/// folder (unmounted on dispose), and a filler file that another program would be: <see cref="Fill"/>
/// writes it until the kernel says "No space left on device", <see cref="Free"/> deletes it.
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

    /// <summary>Writes the filler file until the disk is full; returns its size.</summary>
    public long Fill()
    {
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)0x5A);
        using var file = new FileStream(FillerPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
        try
        {
            while (true)
            {
                file.Write(chunk);
            }
        }
        catch (IOException)
        {
            // Full in 64 KiB steps; top up the last bytes one small write at a time.
        }

        var small = new byte[512];
        try
        {
            while (true)
            {
                file.Write(small);
            }
        }
        catch (IOException)
        {
            // ENOSPC: full.
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
