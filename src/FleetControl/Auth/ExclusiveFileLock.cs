namespace FleetControl.Auth;

/// <summary>
/// A lock shared by processes (the server and the <c>accounts</c> command) on one lock file: .NET opens a
/// file with <see cref="FileShare.None"/> under an exclusive advisory lock (flock) on Linux, which the
/// kernel releases if the holder dies.
/// </summary>
internal static class ExclusiveFileLock
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>Holds <paramref name="lockPath"/> exclusively until disposed; waits at most <paramref name="timeout"/>.</summary>
    public static async Task<IDisposable> AcquireAsync(string lockPath, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            }
            catch (IOException) when (waited.Elapsed < timeout)
            {
                // Held by another process for the few milliseconds of one write: try again shortly.
                await Task.Delay(RetryInterval, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
