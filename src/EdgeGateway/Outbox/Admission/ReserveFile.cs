namespace EdgeGateway.Outbox.Admission;

/// <summary>
/// A file of <see cref="OutboxOptions.UrgentReserveBytes"/> really allocated bytes beside the outbox
/// (<c>outbox.reserve</c>). When another program fills the disk, deleting it gives LiteDB room to
/// store Emergency and Alert messages (and the outbox's own alarms) while everything else is refused.
/// </summary>
/// <remarks>
/// The bytes are preallocated (<c>fallocate</c>) and then written and fsynced, so the space is taken
/// on any file system that does not compress or deduplicate zeros. Not thread-safe: used with the
/// outbox lock held.
/// </remarks>
internal sealed class ReserveFile
{
    private const int ChunkBytes = 1024 * 1024;

    public ReserveFile(string path, long bytes)
    {
        Path = path;
        Bytes = bytes;
    }

    /// <summary>Full path of the reserve file.</summary>
    public string Path { get; }

    /// <summary>The configured size; 0 means no reserve is kept.</summary>
    public long Bytes { get; }

    /// <summary>True when the file exists at its full size (or no reserve is configured).</summary>
    public bool InPlace => Bytes == 0 || (File.Exists(Path) && new FileInfo(Path).Length >= Bytes);

    /// <summary>
    /// Creates the file at its full size unless it is already in place. On failure (the disk is full,
    /// say) the partial file is deleted and the exception returned, never thrown.
    /// </summary>
    public Exception? TryCreate()
    {
        if (InPlace)
        {
            return null;
        }

        try
        {
            using (var handle = File.OpenHandle(Path, FileMode.Create, FileAccess.Write, FileShare.None, FileOptions.None, preallocationSize: Bytes))
            {
                var chunk = new byte[(int)Math.Min(ChunkBytes, Bytes)];
                for (var offset = 0L; offset < Bytes; offset += chunk.Length)
                {
                    RandomAccess.Write(handle, chunk.AsSpan(0, (int)Math.Min(chunk.Length, Bytes - offset)), offset);
                }

                RandomAccess.FlushToDisk(handle);
            }

            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Release();
            return ex;
        }
    }

    /// <summary>Deletes the file, freeing its bytes; returns the bytes freed (0 if there was none).</summary>
    public long Release()
    {
        try
        {
            if (!File.Exists(Path))
            {
                return 0;
            }

            var length = new FileInfo(Path).Length;
            File.Delete(Path);
            return length;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }
}
