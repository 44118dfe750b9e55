namespace EdgeGateway.Outbox.Storage;

/// <summary>Classifies the I/O errors the outbox meets: a full disk is not a damaged file.</summary>
internal static class StorageErrors
{
    // errno values .NET puts in IOException.HResult on Linux.
    private const int NoSpace = 28;         // ENOSPC: no space left on device
    private const int FileTooLarge = 27;    // EFBIG: past the process's file-size limit (RLIMIT_FSIZE)
    private const int QuotaExceeded = 122;  // EDQUOT: the user's disk quota

    /// <summary>
    /// True if <paramref name="exception"/> or any exception inside it says the disk (or the quota)
    /// is full. LiteDB rethrows the writer's original exception on every later call, and the durable
    /// wait wraps it, so the whole chain is searched.
    /// </summary>
    public static bool IsDiskFull(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is IOException { HResult: NoSpace or FileTooLarge or QuotaExceeded })
            {
                return true;
            }

            if (e is AggregateException aggregate && aggregate.InnerExceptions.Any(IsDiskFull))
            {
                return true;
            }
        }

        return false;
    }
}
