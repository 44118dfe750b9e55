using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EdgeGateway.Hosting;

/// <summary>
/// The process exit code after the host has stopped. A background service that died of an unhandled
/// error stops the host; the process must then exit non-zero so systemd (Restart=on-failure) restarts
/// it, instead of looking like a clean stop.
/// </summary>
internal static class HostExit
{
    /// <summary>EX_SOFTWARE from sysexits.h: a fatal internal error stopped the service.</summary>
    public const int FatalError = 70;

    public static int Code(IServiceProvider services) =>
        services.GetServices<IHostedService>().OfType<BackgroundService>().Any(s => s.ExecuteTask is { IsFaulted: true })
            ? FatalError
            : Environment.ExitCode;
}
