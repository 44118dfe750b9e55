using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Hosting.Watchdog;

/// <summary>
/// Sends systemd <c>WATCHDOG=1</c> at half the unit's <c>WatchdogSec</c> while every watched loop
/// (<see cref="ILivenessSource"/>) is waiting or within <see cref="WatchdogOptions.MaxBusy"/> of starting its
/// current step. A wedged loop stops the notifications, and systemd kills and restarts the service; a process
/// that merely stays alive is not enough. Without <c>WATCHDOG_USEC</c> (not under a unit with
/// <c>WatchdogSec</c>) it returns at once: no timer, no thread.
/// </summary>
internal sealed class SystemdWatchdog(
    IServiceProvider services,
    IOptions<WatchdogOptions> options,
    TimeProvider time,
    ILogger<SystemdWatchdog> logger) : BackgroundService
{
    /// <summary>The interval systemd asks for, from <c>WATCHDOG_USEC</c> (and <c>WATCHDOG_PID</c>, when set, naming this process).</summary>
    internal static TimeSpan? RequestedInterval(Func<string, string?> environment, int processId)
    {
        if (environment("WATCHDOG_PID") is { Length: > 0 } pid
            && (!int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var owner) || owner != processId))
        {
            return null; // the watchdog is another process's (e.g. a wrapper script's)
        }

        return environment("WATCHDOG_USEC") is { Length: > 0 } text
            && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var usec) && usec > 0
                ? TimeSpan.FromMicroseconds(usec)
                : null;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (FaultInjection.Active is { } fault)
        {
            Log.FaultActive(logger, fault, FaultInjection.Variable);
        }

        var requested = RequestedInterval(Environment.GetEnvironmentVariable, Environment.ProcessId);
        var notifier = services.GetService<ISystemdNotifier>() ?? new SystemdNotifier();
        if (requested is null || !notifier.IsEnabled)
        {
            return;
        }

        // Resolved here, not in the constructor: the hosted services include this one.
        var probes = services.GetServices<IHostedService>().OfType<ILivenessSource>().Select(s => s.Liveness).ToArray();
        var maxBusy = options.Value.MaxBusy;
        var interval = requested.Value / 2;
        Log.Enabled(logger, interval, string.Join(", ", probes.Select(p => p.Name)), maxBusy);

        string? stuck = null;
        using var timer = new PeriodicTimer(interval, time);
        do
        {
            var wedged = probes.Select(p => (p.Name, BusyFor: p.BusyFor(time))).FirstOrDefault(p => p.BusyFor > maxBusy);
            if (wedged.Name is null)
            {
                if (stuck is not null)
                {
                    Log.Recovered(logger, stuck);
                    stuck = null;
                }

                notifier.Notify(Alive);
            }
            else if (stuck is null)
            {
                stuck = wedged.Name;
                Log.Stuck(logger, wedged.Name, wedged.BusyFor!.Value, maxBusy);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private static readonly ServiceState Alive = new("WATCHDOG=1");
}
