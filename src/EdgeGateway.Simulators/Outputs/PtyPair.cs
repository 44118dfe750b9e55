using System.Runtime.InteropServices;

namespace EdgeGateway.Simulators.Outputs;

/// <summary>
/// Opens a raw pseudo-terminal pair (posix_openpt, cfmakeraw on the slave, a non-blocking master, both close-on-exec)
/// and publishes its slave under a symlink. Shared by the write-only <see cref="PseudoTerminal"/> and the
/// modems' duplex one.
/// </summary>
internal static unsafe class PtyPair
{
    /// <summary>Opens the pair; the caller owns both descriptors. Throws <see cref="IOException"/> naming the failed call.</summary>
    public static (int Master, int Slave, string SlavePath) OpenRaw()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("the pseudo-terminal needs Linux");
        }

        // Both ends are opened close-on-exec in the same call (posix_openpt, open), not set so afterwards as
        // openpty would need: a process another thread forks in between would otherwise inherit the slave and
        // hold it open for its lifetime, so the master would never see the hang-up that means "no reader".
        var master = LibC.PosixOpenPt(LibC.O_RDWR | LibC.O_NOCTTY | LibC.O_CLOEXEC | LibC.O_NONBLOCK);
        if (master < 0)
        {
            throw new IOException($"posix_openpt failed: {LibC.Describe(Marshal.GetLastPInvokeError())}");
        }

        var slave = -1;
        try
        {
            var name = stackalloc byte[128];
            if (LibC.GrantPt(master) != 0 || LibC.UnlockPt(master) != 0)
            {
                throw new IOException($"grantpt/unlockpt failed: {LibC.Describe(Marshal.GetLastPInvokeError())}");
            }

            var error = LibC.PtsNameR(master, name, 128);
            if (error != 0)
            {
                throw new IOException($"ptsname_r failed: {LibC.Describe(error)}");
            }

            slave = LibC.Open(name, LibC.O_RDWR | LibC.O_NOCTTY | LibC.O_CLOEXEC);
            if (slave < 0)
            {
                throw new IOException($"opening the slave failed: {LibC.Describe(Marshal.GetLastPInvokeError())}");
            }

            // termios is 60 bytes on glibc; a larger buffer keeps this independent of the exact layout.
            var termios = stackalloc byte[256];
            if (LibC.TcGetAttr(slave, termios) != 0)
            {
                throw new IOException($"tcgetattr failed: {LibC.Describe(Marshal.GetLastPInvokeError())}");
            }

            LibC.CfMakeRaw(termios);
            if (LibC.TcSetAttr(slave, LibC.TCSANOW, termios) != 0)
            {
                throw new IOException($"tcsetattr failed: {LibC.Describe(Marshal.GetLastPInvokeError())}");
            }

            return (master, slave, Marshal.PtrToStringUTF8((nint)name)!);
        }
        catch
        {
            if (slave >= 0)
            {
                LibC.Close(slave);
            }

            LibC.Close(master);
            throw;
        }
    }

    /// <summary>Points <paramref name="linkPath"/> at the slave, replacing a stale link but never a file or folder.</summary>
    public static void Link(string linkPath, string slavePath)
    {
        var existing = new FileInfo(linkPath);
        if (existing.LinkTarget is not null)
        {
            existing.Delete();   // a stale link from an earlier run
        }
        else if (existing.Exists || Directory.Exists(linkPath))
        {
            throw new IOException($"--pty-link {linkPath} exists and is not a symlink; not replacing it");
        }

        File.CreateSymbolicLink(linkPath, slavePath);
    }

    /// <summary>Removes <paramref name="linkPath"/> if it still points at <paramref name="slavePath"/>.</summary>
    public static void Unlink(string? linkPath, string slavePath)
    {
        try
        {
            if (linkPath is not null && new FileInfo(linkPath) is { LinkTarget: { } target } link && target == slavePath)
            {
                link.Delete();
            }
        }
        catch (IOException)
        {
            // Best effort: a link that cannot be removed is replaced by the next run.
        }
    }
}
