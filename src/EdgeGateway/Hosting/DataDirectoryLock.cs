namespace EdgeGateway.Hosting;

/// <summary>
/// The running gateway's claim on its data directory: an exclusive lock on <c>{DataDirectory}/gateway.lock</c>
/// (an advisory <c>flock</c> on Linux, released when the process dies, even by SIGKILL). A second gateway on the
/// same directory, or an engineer command that must not run beside a live gateway (<c>salvage</c>), is refused
/// by name instead of fighting over the outbox file.
/// </summary>
internal sealed class DataDirectoryLock : IDisposable
{
    /// <summary>The lock file's name inside the data directory.</summary>
    public const string FileName = "gateway.lock";

    private readonly FileStream _file;

    private DataDirectoryLock(FileStream file) => _file = file;

    /// <summary>Takes the lock, creating the directory if needed; null if another process holds it.</summary>
    public static DataDirectoryLock? TryAcquire(string dataDirectory)
    {
        var directory = Path.GetFullPath(dataDirectory);
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, FileName);
        try
        {
            return new DataDirectoryLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException) when (File.Exists(path))
        {
            return null;
        }
    }

    public void Dispose() => _file.Dispose();
}
