namespace FleetControl.Store;

/// <summary>
/// LiteDB's <c>-log.db</c> file (handed to LiteDB through <c>EngineSettings.LogStream</c>), unbuffered,
/// whose <see cref="Flush"/> does NOT fsync. LiteDB's background log writer flushes whenever its queue
/// runs dry, which during a large commit is about once per 8 KB page (measured: ~620 fsyncs per
/// 5,000-envelope commit). The store instead calls <see cref="FlushToDisk"/> once per commit, after
/// the writer has written every page of it (<see cref="LiteDbWriterQueue"/>): one fsync per commit.
/// Writes go straight to the file (no user-space buffer), so a killed process loses nothing written.
/// </summary>
internal sealed class SyncOnDemandLogStream(string path) : Stream
{
    // bufferSize 0: no FileStream buffer; every Write is a pwrite to the OS.
    private readonly FileStream _file = new(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0, FileOptions.RandomAccess);
    private bool _disposed;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => true;

    public override long Length => _file.Length;

    public override long Position
    {
        get => _file.Position;
        set => _file.Position = value;
    }

    /// <summary>Called by LiteDB's writer: the pages are already in the OS; the fsync is <see cref="FlushToDisk"/>.</summary>
    public override void Flush()
    {
    }

    /// <summary>fsync: everything written so far survives a power cut.</summary>
    public void FlushToDisk()
    {
        // LiteDB's ConcurrentStream wrappers lock on this instance around every positioned access.
        lock (this)
        {
            if (!_disposed)
            {
                _file.Flush(flushToDisk: true);
            }
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => _file.Read(buffer, offset, count);

    public override long Seek(long offset, SeekOrigin origin) => _file.Seek(offset, origin);

    public override void SetLength(long value) => _file.SetLength(value);

    public override void Write(byte[] buffer, int offset, int count) => _file.Write(buffer, offset, count);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (this)
            {
                if (!_disposed)
                {
                    _disposed = true;
                    _file.Flush(flushToDisk: true);
                    _file.Dispose();
                }
            }
        }

        base.Dispose(disposing);
    }
}
