using Microsoft.Extensions.Logging;

namespace EdgeGateway.Hosting.Watchdog;

/// <summary>Watchdog log messages (event ids 4900-4919).</summary>
internal static partial class Log
{
    [LoggerMessage(4900, LogLevel.Information, "systemd watchdog on: WATCHDOG=1 every {Interval} while no watched loop ({Loops}) is stuck in a step longer than {MaxBusy}")]
    public static partial void Enabled(ILogger logger, TimeSpan interval, string loops, TimeSpan maxBusy);

    [LoggerMessage(4901, LogLevel.Critical, "Watchdog: the {Loop} loop has been in one step for {BusyFor} (limit Watchdog:MaxBusy {MaxBusy}); WATCHDOG=1 stops so systemd restarts the service")]
    public static partial void Stuck(ILogger logger, string loop, TimeSpan busyFor, TimeSpan maxBusy);

    [LoggerMessage(4902, LogLevel.Warning, "Watchdog: the {Loop} loop is making progress again; WATCHDOG=1 resumes")]
    public static partial void Recovered(ILogger logger, string loop);

    [LoggerMessage(4903, LogLevel.Critical, "Fault injection active: {Fault} ({Variable}, Development only). This gateway is broken on purpose")]
    public static partial void FaultActive(ILogger logger, string fault, string variable);
}
