using System.Globalization;

namespace EdgeGateway.Simulators.LocalSystem;

/// <summary>
/// Holds the local system's data folder for one run: an exclusive lock on <c>DIR/.lock</c> (an advisory
/// <c>flock</c> on Linux, so it is released when the process dies, even by SIGKILL), with the owner's
/// pid in <c>DIR/.lock.pid</c>. A second run on the same folder is refused by name instead of corrupting the first's data.
/// </summary>
internal sealed class SystemDirectoryLock : IDisposable
{
    private const string LockFileName = ".lock";
    private const string OwnerFileName = ".lock.pid";
    private readonly FileStream _file;

    private SystemDirectoryLock(FileStream file) => _file = file;

    /// <summary>
    /// Creates <paramref name="directory"/> if needed and locks it; with <paramref name="fresh"/> empties it
    /// (all but the lock) once the lock is held, so a running system's data is never deleted under it.
    /// </summary>
    /// <exception cref="Cli.CliFailureException">Another run holds the folder, or it cannot be created or emptied.</exception>
    public static SystemDirectoryLock Acquire(string directory, bool fresh)
    {
        var path = Path.Combine(directory, LockFileName);
        var owner = Path.Combine(directory, OwnerFileName);
        FileStream file;
        try
        {
            Directory.CreateDirectory(directory);
            file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException) when (File.Exists(path))
        {
            throw new Cli.CliFailureException(
                $"another local system is already running on {directory} (pid {ReadOwner(owner)}); stop it (Ctrl+C) or run this one with --dir OTHER_DIR");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new Cli.CliFailureException($"cannot use {directory}: {e.Message}");
        }

        var held = new SystemDirectoryLock(file);
        try
        {
            if (fresh)
            {
                Empty(directory, path);
            }

            File.WriteAllText(owner, Environment.ProcessId.ToString(CultureInfo.InvariantCulture));

            return held;
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    public void Dispose() => _file.Dispose();

    private static void Empty(string directory, string lockPath)
    {
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos())
        {
            if (entry.FullName == lockPath)
            {
                continue;
            }

            try
            {
                if (entry is DirectoryInfo folder)
                {
                    folder.Delete(recursive: true);
                }
                else
                {
                    entry.Delete();
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new Cli.CliFailureException($"--fresh could not delete {entry.FullName}: {e.Message}");
            }
        }
    }

    /// <summary>The pid the holder wrote, or "unknown".</summary>
    private static string ReadOwner(string path)
    {
        try
        {
            var text = File.ReadAllText(path).Trim();
            return text.Length > 0 ? text : "unknown";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "unknown";
        }
    }
}
