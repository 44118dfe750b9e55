using Microsoft.Extensions.Logging;

namespace EdgeGateway.Updates;

/// <summary>Update log messages (event ids 4960-4979).</summary>
internal static partial class Log
{
    [LoggerMessage(4960, LogLevel.Information, "Update {Version} is on trial: committing once connected to FleetControl with a healthy watchdog")]
    public static partial void OnTrial(ILogger logger, string version);

    [LoggerMessage(4961, LogLevel.Information, "Update {Version} committed: {Reason}")]
    public static partial void Committed(ILogger logger, string version, string reason);

    [LoggerMessage(4962, LogLevel.Warning, "Update {Version} was {Outcome}: {Reason}")]
    public static partial void LastUpdate(ILogger logger, string version, string outcome, string reason);

    [LoggerMessage(4963, LogLevel.Error, "Update state cannot be read or written")]
    public static partial void StateFailed(ILogger logger, Exception exception);
}
