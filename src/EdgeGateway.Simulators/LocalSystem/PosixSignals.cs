using System.Runtime.InteropServices;

namespace EdgeGateway.Simulators.LocalSystem;

/// <summary>
/// Sends POSIX signals. .NET's <see cref="System.Diagnostics.Process.Kill()"/> only sends SIGKILL; a
/// clean stop needs SIGTERM (the hosts' console lifetime turns it into a graceful shutdown).
/// </summary>
internal static partial class PosixSignals
{
    public const int SigKill = 9;
    public const int SigTerm = 15;

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; false if the process is gone.</summary>
    public static bool Send(int pid, int signal) => Kill(pid, signal) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int sig);
}
