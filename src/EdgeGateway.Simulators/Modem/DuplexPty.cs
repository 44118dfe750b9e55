using System.Runtime.InteropServices;
using EdgeGateway.Simulators.Outputs;

namespace EdgeGateway.Simulators.Modem;

/// <summary>
/// A pseudo-terminal for a device that is written to as well as read from (an AT modem): the gateway opens
/// the slave path as a serial port (System.IO.Ports), the simulator reads commands from the master on a
/// dedicated thread and writes replies to it. The simulator keeps its own slave descriptor open so the
/// master never reports a hang-up between two gateway connections; output written while nobody reads stays
/// in the tty buffer (at most a few KiB, then it is dropped and counted), as on a real serial line.
/// </summary>
internal sealed unsafe class DuplexPty : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Thread _reader;
    private readonly Action<ReadOnlyMemory<byte>> _onInput;
    private int _master;
    private int _slave;
    private volatile bool _stopping;
    private long _dropped;

    private DuplexPty(int master, int slave, string slavePath, string? linkPath, Action<ReadOnlyMemory<byte>> onInput)
    {
        _master = master;
        _slave = slave;
        SlavePath = slavePath;
        LinkPath = linkPath;
        _onInput = onInput;
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = "pty-reader" };
    }

    /// <summary>The slave device, e.g. <c>/dev/pts/5</c>.</summary>
    public string SlavePath { get; }

    /// <summary>The symlink to <see cref="SlavePath"/>, if asked for.</summary>
    public string? LinkPath { get; }

    /// <summary>Bytes dropped because the tty buffer was full (nobody reading).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Opens the pair (raw), links it, and starts reading; <paramref name="onInput"/> gets what the gateway writes.</summary>
    public static DuplexPty Open(string? linkPath, Action<ReadOnlyMemory<byte>> onInput)
    {
        var (master, slave, slavePath) = PtyPair.OpenRaw();
        try
        {
            if (linkPath is not null)
            {
                PtyPair.Link(linkPath, slavePath);
            }

            var pty = new DuplexPty(master, slave, slavePath, linkPath, onInput);
            pty._reader.Start();
            return pty;
        }
        catch
        {
            LibC.Close(slave);
            LibC.Close(master);
            throw;
        }
    }

    /// <summary>Writes what the tty takes now; the rest is dropped and counted (never blocks).</summary>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        lock (_gate)
        {
            if (_master < 0)
            {
                return;
            }

            fixed (byte* p = bytes)
            {
                var offset = 0;
                while (offset < bytes.Length)
                {
                    var n = LibC.Write(_master, p + offset, (nuint)(bytes.Length - offset));
                    if (n > 0)
                    {
                        offset += (int)n;
                        continue;
                    }

                    if (Marshal.GetLastPInvokeError() == LibC.EINTR)
                    {
                        continue;
                    }

                    Interlocked.Add(ref _dropped, bytes.Length - offset);
                    return;
                }
            }
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _reader.Join(TimeSpan.FromSeconds(2));
        lock (_gate)
        {
            if (_master < 0)
            {
                return;
            }

            LibC.Close(_master);
            LibC.Close(_slave);
            _master = _slave = -1;
        }

        PtyPair.Unlink(LinkPath, SlavePath);
    }

    private void ReadLoop()
    {
        var buffer = new byte[1024];
        var fd = new LibC.PollFd { Fd = _master, Events = LibC.POLLIN };
        while (!_stopping)
        {
            fd.Revents = 0;
            // A bounded wait so Dispose is noticed; the simulator, not the gateway, pays these wake-ups.
            if (LibC.Poll(&fd, 1, 250) <= 0)
            {
                continue;
            }

            nint n;
            fixed (byte* p = buffer)
            {
                n = LibC.Read(_master, p, (nuint)buffer.Length);
            }

            if (n > 0)
            {
                _onInput(buffer.AsMemory(0, (int)n).ToArray());
            }
        }
    }
}
