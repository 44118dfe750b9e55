using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace EdgeGateway.Storage;

/// <summary>
/// Drops file ranges from the page cache once they are durable and consumed (Linux only; elsewhere a
/// no-op). Evidence bytes are written once and read once, on the dock and in the vault alike: keeping a
/// GiB of them cached evicts the working set, and every new page-cache page costs a fresh allocation; dropped pages are reused
/// at once by the next writes. Only clean (fsynced) ranges are passed, so nothing is lost or re-written.
/// </summary>
public static partial class PageCache
{
    private const int PosixFadvDontNeed = 4;

    /// <summary>Advises the kernel to drop <paramref name="length"/> bytes at <paramref name="offset"/>; the data must already be on disk. A no-op off Linux or for an empty range.</summary>
    public static void Drop(SafeFileHandle handle, long offset, long length)
    {
        if (length <= 0 || !OperatingSystem.IsLinux() || handle.IsInvalid || handle.IsClosed)
        {
            return;
        }

        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            _ = posix_fadvise((int)handle.DangerousGetHandle(), offset, length, PosixFadvDontNeed);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or ObjectDisposedException)
        {
            // Advice only: without it the pages are simply left to the kernel.
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    [DllImport("libc", EntryPoint = "posix_fadvise")]
    private static extern int posix_fadvise(int fd, long offset, long length, int advice);
}
