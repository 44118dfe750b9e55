using System.Runtime.InteropServices;

namespace FleetControl.Evidence;

/// <summary>libc calls for directory fsync (Linux/macOS).</summary>
internal static class NativeMethods
{
    [DllImport("libc", SetLastError = true)]
    internal static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    internal static extern int fsync(int fd);

    [DllImport("libc", SetLastError = true)]
    internal static extern int close(int fd);
}
