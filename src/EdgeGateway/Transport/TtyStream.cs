using System.IO.Pipelines;
using System.Runtime.InteropServices;

namespace EdgeGateway.Transport;

/// <summary>
/// Reads and writes a serial device (configured and locked by System.IO.Ports' <c>SerialPort</c>) through
/// a file descriptor of its own, so that waiting for input costs nothing. System.IO.Ports on Linux polls
/// the device every millisecond while a read is pending (about 1,000 wake-ups a second for a receiver
/// that sends once a second); here one thread sleeps in <c>poll(2)</c> until the device has bytes, hangs
/// up, or the stream is disposed (a byte on a private pipe wakes it). Input goes through a bounded
/// <see cref="Pipe"/>, so a slow reader holds the device's bytes in the kernel, not in memory.
/// </summary>
internal sealed partial class TtyStream : Stream
{
    // Linux (x86-64, arm64: asm-generic) values.
    private const int ReadWrite = 0x2;
    private const int NoControllingTerminal = 0x100;
    private const int NonBlocking = 0x800;
    private const int CloseOnExec = 0x80000;
    private const short PollIn = 0x1;
    private const short PollOut = 0x4;
    private const int Interrupted = 4;
    private const int WouldBlock = 11;

    private readonly int _fd;
    private readonly int _wakeRead;
    private readonly int _wakeWrite;
    private readonly string _path;
    private readonly Pipe _input = new(new PipeOptions(pauseWriterThreshold: 64 * 1024, resumeWriterThreshold: 32 * 1024, useSynchronizationContext: false));
    private readonly Stream _reader;
    private readonly Thread _thread;
    private int _disposed;

    private TtyStream(string path, int fd, int wakeRead, int wakeWrite)
    {
        _path = path;
        _fd = fd;
        _wakeRead = wakeRead;
        _wakeWrite = wakeWrite;
        _reader = _input.Reader.AsStream();
        _thread = new Thread(ReadLoop) { IsBackground = true, Name = "tty " + Path.GetFileName(path) };
        _thread.Start();
    }

    /// <summary>Opens <paramref name="path"/> (not as the controlling terminal) and starts waiting for input.</summary>
    public static TtyStream Open(string path)
    {
        var fd = NativeOpen(path, ReadWrite | NoControllingTerminal | NonBlocking | CloseOnExec);
        if (fd < 0)
        {
            throw Error($"cannot open {path}");
        }

        Span<int> wake = stackalloc int[2];
        if (NativePipe2(ref MemoryMarshal.GetReference(wake), NonBlocking | CloseOnExec) != 0)
        {
            var error = Error("cannot create a wake-up pipe");
            NativeClose(fd);
            throw error;
        }

        return new TtyStream(path, fd, wake[0], wake[1]);
    }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => _reader.Read(buffer, offset, count);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _reader.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _reader.ReadAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <summary>Writes everything (AT commands are short); waits in <c>poll(2)</c> while the device's buffer is full.</summary>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        while (!buffer.IsEmpty)
        {
            var written = NativeWrite(_fd, ref MemoryMarshal.GetReference(buffer), buffer.Length);
            if (written > 0)
            {
                buffer = buffer[(int)written..];
                continue;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (written < 0 && errno == WouldBlock)
            {
                var poll = new PollFd { Fd = _fd, Events = PollOut };
                _ = NativePoll(ref poll, 1, 1000);
            }
            else if (written < 0 && errno != Interrupted)
            {
                throw Error($"write to {_path} failed", errno);
            }
        }
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            byte one = 1;
            _ = NativeWrite(_wakeWrite, ref one, 1);
            _input.Writer.CancelPendingFlush(); // in case the loop waits for a reader that is gone
            if (Thread.CurrentThread != _thread)
            {
                _thread.Join(TimeSpan.FromSeconds(5));
            }

            NativeClose(_fd);
            NativeClose(_wakeRead);
            NativeClose(_wakeWrite);

            // The loop completed the writer on its way out, so a pending read returns 0 (end of stream).
        }

        base.Dispose(disposing);
    }

    /// <summary>Sleeps in poll(2) until the device has bytes (or hangs up) or the stream is disposed; moves the bytes into the pipe.</summary>
    private void ReadLoop()
    {
        var buffer = new byte[4096];
        Exception? failure = null;
        try
        {
            Span<PollFd> fds = stackalloc PollFd[2];
            while (Volatile.Read(ref _disposed) == 0)
            {
                fds[0] = new PollFd { Fd = _fd, Events = PollIn };
                fds[1] = new PollFd { Fd = _wakeRead, Events = PollIn };
                if (NativePoll(ref fds[0], 2, -1) < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Interrupted)
                    {
                        continue;
                    }

                    failure = Error($"poll on {_path} failed", errno);
                    return;
                }

                if (fds[1].Revents != 0)
                {
                    return; // disposed
                }

                if (fds[0].Revents == 0)
                {
                    continue;
                }

                // Readable, hung up or failed: read says which.
                var read = NativeRead(_fd, ref buffer[0], buffer.Length);
                if (read > 0)
                {
                    var flush = _input.Writer.WriteAsync(buffer.AsMemory(0, (int)read));
                    var result = flush.IsCompletedSuccessfully ? flush.Result : flush.AsTask().GetAwaiter().GetResult();
                    if (result.IsCompleted)
                    {
                        return; // the reader is gone
                    }
                }
                else if (read == 0)
                {
                    return; // end of file: the device went away
                }
                else
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno is not (Interrupted or WouldBlock))
                    {
                        failure = Error($"read from {_path} failed (device gone?)", errno);
                        return;
                    }
                }
            }
        }
        finally
        {
            _input.Writer.Complete(failure);
        }
    }

    private static IOException Error(string what, int? errno = null)
    {
        var code = errno ?? Marshal.GetLastPInvokeError();
        return new IOException($"{what}: {Marshal.GetPInvokeErrorMessage(code)} (errno {code})", code);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int NativeOpen(string path, int flags);

    [LibraryImport("libc", EntryPoint = "pipe2", SetLastError = true)]
    private static partial int NativePipe2(ref int fds, int flags);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int NativePoll(ref PollFd fds, nuint count, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint NativeRead(int fd, ref byte buffer, nint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint NativeWrite(int fd, ref byte buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int NativeClose(int fd);
}
