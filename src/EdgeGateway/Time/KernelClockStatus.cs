using System.Runtime.InteropServices;

namespace EdgeGateway.Time;

/// <summary>
/// Reads the kernel's clock discipline state with <c>adjtimex(2)</c> (read-only: <c>modes = 0</c>, no
/// privilege needed), the same source <c>timedatectl</c>'s "System clock synchronized" uses: synchronised
/// unless the call answers <c>TIME_ERROR</c> or the status has <c>STA_UNSYNC</c>. The answer is cached
/// for <see cref="CacheFor"/> so stamping many envelopes costs no system call each.
/// </summary>
internal sealed class KernelClockStatus : IClockStatus
{
    /// <summary>How long one reading is reused.</summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(10);

    private const int TimeError = 5;
    private const int StaUnsync = 0x0040;

    // struct timex on 64-bit Linux (x86-64 and arm64): unsigned modes, 4 bytes padding, four longs, then int status.
    private const int StatusOffset = 40;
    private const int TimexSize = 256; // larger than the kernel's 208 bytes

    private readonly TimeProvider _time;
    private readonly Func<bool> _read;
    private readonly Lock _gate = new();
    private long _readAt = long.MinValue;
    private bool _synchronised;

    public KernelClockStatus(TimeProvider time)
        : this(time, ReadKernel)
    {
    }

    /// <summary>With another reading of the kernel state (tests).</summary>
    internal KernelClockStatus(TimeProvider time, Func<bool> read)
    {
        _time = time;
        _read = read;
    }

    public bool IsSynchronised
    {
        get
        {
            lock (_gate)
            {
                if (_readAt == long.MinValue || _time.GetElapsedTime(_readAt) >= CacheFor)
                {
                    _synchronised = _read();
                    _readAt = _time.GetTimestamp();
                }

                return _synchronised;
            }
        }
    }

    /// <summary>One <c>adjtimex</c> reading; false where the call is unavailable (not Linux, or refused by a sandbox).</summary>
    internal static bool ReadKernel()
    {
        if (!OperatingSystem.IsLinux() || IntPtr.Size != 8)
        {
            return false;
        }

        var timex = new byte[TimexSize];
        int state;
        try
        {
            state = Adjtimex(timex);
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }

        if (state < 0 || state == TimeError)
        {
            return false;
        }

        var status = BitConverter.ToInt32(timex, StatusOffset);
        return (status & StaUnsync) == 0;
    }

    // DllImport rather than LibraryImport: a blittable byte[] needs no marshalling code, and the project stays free of unsafe code.
    [DllImport("libc", EntryPoint = "adjtimex", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Adjtimex([In, Out] byte[] timex);
}
