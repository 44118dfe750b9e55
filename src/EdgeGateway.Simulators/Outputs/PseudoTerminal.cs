using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EdgeGateway.Simulators.Outputs;

/// <summary>
/// A pseudo-terminal pair created in-process (posix_openpt): the simulator writes to the master, a reader such as
/// the gateway opens the slave path as a real tty (System.IO.Ports works on it). The slave is set raw and
/// then closed here, so the master sees a hang-up while nobody has it open: output is then dropped and
/// counted rather than piling up as stale fixes. A write the reader cannot take (tty buffer full) is
/// finished later if possible, otherwise the next chunk is dropped whole, so sentences are not cut.
/// Optionally publishes the slave under a stable symlink, removed again on dispose.
/// </summary>
internal sealed unsafe class PseudoTerminal : IByteOutput, IDisposable
{
    private readonly Lock _gate = new();
    private readonly ILogger _logger;
    private int _master;
    private byte[] _pending = [];
    private bool _readerAttached;
    private bool _slowReported;
    private long _bytesWritten;
    private long _droppedNoReader;
    private long _droppedFull;
    private long _bytesFromReader;
    private long _writeErrors;

    private PseudoTerminal(int master, string slavePath, string? linkPath, ILogger logger)
    {
        _master = master;
        SlavePath = slavePath;
        LinkPath = linkPath;
        _logger = logger;
    }

    /// <summary>The slave device, e.g. <c>/dev/pts/5</c>.</summary>
    public string SlavePath { get; }

    /// <summary>The symlink pointing at <see cref="SlavePath"/>, if one was asked for.</summary>
    public string? LinkPath { get; }

    /// <summary>Bytes accepted by the tty.</summary>
    public long BytesWritten => Interlocked.Read(ref _bytesWritten);

    /// <summary>Bytes dropped because no process had the slave open.</summary>
    public long BytesDroppedNoReader => Interlocked.Read(ref _droppedNoReader);

    /// <summary>Bytes dropped because the reader was not reading (tty buffer full).</summary>
    public long BytesDroppedFull => Interlocked.Read(ref _droppedFull);

    /// <summary>Bytes the reader wrote to the tty (read from the master and discarded).</summary>
    public long BytesFromReader => Interlocked.Read(ref _bytesFromReader);

    /// <summary>Writes that failed with an unexpected error.</summary>
    public long WriteErrors => Interlocked.Read(ref _writeErrors);

    /// <summary>Whether some process has the slave open now.</summary>
    public bool IsReaderAttached
    {
        get
        {
            lock (_gate)
            {
                return _master >= 0 && !HungUp();
            }
        }
    }

    /// <inheritdoc />
    public string Counters =>
        $"pty_written={BytesWritten} pty_dropped_no_reader={BytesDroppedNoReader} pty_dropped_full={BytesDroppedFull} pty_errors={WriteErrors}";

    /// <summary>Creates the pair, sets it raw, and if <paramref name="linkPath"/> is given points a symlink there at the slave.</summary>
    /// <exception cref="IOException">opening the pair failed, or <paramref name="linkPath"/> exists and is not a symlink.</exception>
    public static PseudoTerminal Open(string? linkPath = null, ILogger? logger = null)
    {
        logger ??= NullLogger.Instance;
        var (master, slave, slavePath) = PtyPair.OpenRaw();
        try
        {
            if (linkPath is not null)
            {
                PtyPair.Link(linkPath, slavePath);
            }
        }
        catch
        {
            LibC.Close(slave);
            LibC.Close(master);
            throw;
        }

        // The slave is closed here: the master then sees a hang-up while no reader has it open.
        LibC.Close(slave);
        var terminal = new PseudoTerminal(master, slavePath, linkPath, logger);
        Log.PtyOpened(logger, slavePath, linkPath ?? "-");
        return terminal;
    }

    /// <inheritdoc />
    public void Write(ReadOnlySpan<byte> bytes)
    {
        lock (_gate)
        {
            if (_master < 0)
            {
                return;
            }

            DrainInput();
            if (HungUp())
            {
                Interlocked.Add(ref _droppedNoReader, bytes.Length + _pending.Length);
                _pending = [];
                if (_readerAttached)
                {
                    _readerAttached = false;
                    Log.PtyNoReader(_logger, SlavePath);
                }

                return;
            }

            if (!_readerAttached)
            {
                _readerAttached = true;
                _slowReported = false;
                Log.PtyReaderAttached(_logger, SlavePath);
            }

            if (_pending.Length > 0)
            {
                var done = WriteSome(_pending);
                _pending = done < 0 ? [] : _pending[done..];
                if (_pending.Length > 0)
                {
                    DropFull(bytes.Length);
                    return;
                }
            }

            var written = WriteSome(bytes);
            if (written >= 0 && written < bytes.Length)
            {
                // Keep the tail of a cut chunk so the sentence on the wire stays whole.
                _pending = bytes[written..].ToArray();
                if (written == 0)
                {
                    DropFull(0);
                }
            }
        }
    }

    /// <summary>Closes the master (the reader sees a hang-up) and removes the symlink if it still points here.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_master < 0)
            {
                return;
            }

            LibC.Close(_master);
            _master = -1;
        }

        PtyPair.Unlink(LinkPath, SlavePath);
        Log.PtyClosed(_logger, SlavePath);
    }

    private void DropFull(int count)
    {
        Interlocked.Add(ref _droppedFull, count);
        if (!_slowReported)
        {
            _slowReported = true;
            Log.PtyReaderSlow(_logger, SlavePath);
        }
    }

    /// <summary>Writes what the tty takes without blocking; returns bytes written, or -1 after an error (chunk dropped).</summary>
    private int WriteSome(ReadOnlySpan<byte> bytes)
    {
        var offset = 0;
        fixed (byte* p = bytes)
        {
            while (offset < bytes.Length)
            {
                var n = LibC.Write(_master, p + offset, (nuint)(bytes.Length - offset));
                if (n > 0)
                {
                    offset += (int)n;
                    Interlocked.Add(ref _bytesWritten, n);
                    continue;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno == LibC.EINTR)
                {
                    continue;
                }

                if (errno == LibC.EAGAIN)
                {
                    return offset;
                }

                if (errno == LibC.EIO)
                {
                    // The reader went away between the poll and the write.
                    Interlocked.Add(ref _droppedNoReader, bytes.Length - offset);
                    return -1;
                }

                Interlocked.Increment(ref _writeErrors);
                Interlocked.Add(ref _droppedFull, bytes.Length - offset);
                Log.PtyWriteFailed(_logger, SlavePath, LibC.Describe(errno));
                return -1;
            }
        }

        return offset;
    }

    private bool HungUp()
    {
        var fd = new LibC.PollFd { Fd = _master, Events = LibC.POLLIN };
        return LibC.Poll(&fd, 1, 0) > 0 && (fd.Revents & LibC.POLLHUP) != 0;
    }

    /// <summary>Reads and discards what the reader sent, so its writes never block on a full buffer.</summary>
    private void DrainInput()
    {
        var buffer = stackalloc byte[512];
        while (true)
        {
            var n = LibC.Read(_master, buffer, 512);
            if (n <= 0)
            {
                return;   // EAGAIN (nothing waiting) or EIO (no reader)
            }

            Interlocked.Add(ref _bytesFromReader, n);
        }
    }
}
