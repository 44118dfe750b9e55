using Microsoft.Extensions.Logging;

namespace EdgeGateway.Health;

/// <summary>Health log messages (event ids 2300-2399).</summary>
internal static partial class Log
{
    [LoggerMessage(2300, LogLevel.Warning, "Health contributor {Contributor} failed; its part of the report is missing")]
    public static partial void ContributorFailed(ILogger logger, string contributor, Exception exception);

    [LoggerMessage(2301, LogLevel.Warning, "Writing the local health file {Path} failed")]
    public static partial void FileWriteFailed(ILogger logger, string path, Exception exception);

    [LoggerMessage(2302, LogLevel.Warning, "The health report was not enqueued for FleetControl: {Result}")]
    public static partial void NotEnqueued(ILogger logger, Core.EnqueueResult result);

    [LoggerMessage(2303, LogLevel.Debug, "Health report enqueued (link {LinkState})")]
    public static partial void Enqueued(ILogger logger, Contracts.V1.LinkState linkState);
}
