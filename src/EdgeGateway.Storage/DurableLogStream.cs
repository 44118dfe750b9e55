namespace EdgeGateway.Storage;

/// <summary>
/// LiteDB's <c>-log.db</c> file, handed to LiteDB through <c>EngineSettings.LogStream</c>. Writes go
/// straight to the OS (no user-space buffer), so a killed process loses nothing LiteDB wrote, and
/// <see cref="Flush"/> does NOT fsync: LiteDB's background writer flushes whenever its queue runs dry,
/// about once per 8 KB page during a large commit (measured ~620 fsyncs per 5,000-document commit).
/// <see cref="DurableLiteDatabase"/> instead calls <see cref="FlushToDisk"/> once per durable commit,
/// after the writer has written every page of it.
/// </summary>
/// <remarks>
/// LiteDB wraps this stream in its <c>ConcurrentStream</c>, which locks on this instance around every
/// positioned access and forwards <c>Dispose()</c> (its rebuild reader disposes what it opened), so
/// <see cref="Dispose(bool)"/> is a no-op and only the owner closes the file (<see cref="Release"/>).
/// </remarks>
internal sealed class DurableLogStream : Stream
{
    private readonly string _path;
    private FileStream _file;
    private bool _released;
    private long _writes;
    private long _writesAtSync;
    private long _syncs;
    private long _liteDbFlushes;

    public DurableLogStream(string path)
    {
        _path = path;
        _file = OpenFile(path);
    }

    /// <summary>Full path of the log file.</summary>
    public string FilePath => _path;

    /// <summary>fsyncs done so far (tests: one per durable commit).</summary>
    public long SyncCount => Interlocked.Read(ref _syncs);

    /// <summary>Flush() calls from LiteDB's writer so far (none of them fsyncs).</summary>
    public long LiteDbFlushCount => Interlocked.Read(ref _liteDbFlushes);

    /// <summary>Writes (and length changes) not yet covered by an fsync.</summary>
    public long UnsyncedWrites
    {
        get
        {
            lock (this)
            {
                return _writes - _writesAtSync;
            }
        }
    }

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
    public override void Flush() => Interlocked.Increment(ref _liteDbFlushes);

    /// <summary>
    /// fsync: everything written before the call survives a power cut. The fsync itself runs outside
    /// this stream's lock, so LiteDB's reads and its writer's writes of the log go on meanwhile, and
    /// two threads may fsync at once (the owner's durable commit, and a sync behind it).
    /// </summary>
    public void FlushToDisk()
    {
        FileStream file;
        long writes;
        lock (this)
        {
            ObjectDisposedException.ThrowIf(_released, this);
            file = _file;
            writes = _writes;
        }

        try
        {
            // No FileStream buffer (bufferSize 0): Flush(true) is only fsync on the handle, safe beside concurrent pwrites.
            file.Flush(flushToDisk: true);
        }
        catch (ObjectDisposedException) when (IsReplaced(file))
        {
            // Reopen() replaced the file meanwhile; it fsynced the old one before closing it.
        }

        lock (this)
        {
            _writesAtSync = Math.Max(_writesAtSync, writes);
            _syncs++;
        }
    }

    /// <summary>
    /// Points the stream at a freshly opened file at the original path. LiteDB's <c>Rebuild()</c>
    /// renames <c>-log.db</c> to <c>-log-backup.db</c>, and the open handle follows the rename.
    /// </summary>
    public void Reopen()
    {
        lock (this)
        {
            ObjectDisposedException.ThrowIf(_released, this);
            _file.Flush(flushToDisk: true);
            _file.Dispose();
            _file = OpenFile(_path);
            _writes++;
        }
    }

    private bool IsReplaced(FileStream file)
    {
        lock (this)
        {
            return !_released && !ReferenceEquals(file, _file);
        }
    }

    /// <summary>fsyncs and closes the file (the owner's dispose).</summary>
    public void Release()
    {
        lock (this)
        {
            if (_released)
            {
                return;
            }

            _released = true;
            try
            {
                _file.Flush(flushToDisk: true);
            }
            finally
            {
                _file.Dispose();
            }
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => _file.Read(buffer, offset, count);

    public override long Seek(long offset, SeekOrigin origin) => _file.Seek(offset, origin);

    public override void SetLength(long value)
    {
        lock (this)
        {
            _file.SetLength(value);
            _writes++;
        }
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        // LiteDB's ConcurrentStream already holds this lock around the positioned write.
        lock (this)
        {
            _file.Write(buffer, offset, count);
            _writes++;
        }
    }

    /// <summary>Ignored: LiteDB disposes its wrappers of this stream; the owner calls <see cref="Release"/>.</summary>
    protected override void Dispose(bool disposing) => base.Dispose(disposing);

    // bufferSize 0: no FileStream buffer; every Write is a pwrite to the OS.
    private static FileStream OpenFile(string path) =>
        new(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0, FileOptions.RandomAccess);
}
