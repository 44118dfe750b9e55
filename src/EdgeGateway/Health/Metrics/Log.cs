using Microsoft.Extensions.Logging;

namespace EdgeGateway.Health.Metrics;

/// <summary>Metrics endpoint log messages (event ids 4920-4939).</summary>
internal static partial class Log
{
    [LoggerMessage(4920, LogLevel.Information, "Prometheus metrics on http://{Endpoint}/metrics")]
    public static partial void Listening(ILogger logger, string endpoint);

    [LoggerMessage(4921, LogLevel.Warning, "Metrics endpoint {Endpoint} is not on loopback: anyone who can reach it can read the gateway's figures")]
    public static partial void NotLoopback(ILogger logger, string endpoint);

    [LoggerMessage(4922, LogLevel.Debug, "A metrics request failed")]
    public static partial void RequestFailed(ILogger logger, Exception exception);
}
