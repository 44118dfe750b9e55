namespace FleetControl.Alerts;

/// <summary>Alert log messages (event ids 5750-5799).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5750, Level = LogLevel.Warning, Message = "Alert {AlertId} ({Severity}) on {DeviceId}: {Message}")]
    public static partial void Raised(ILogger logger, string alertId, string severity, string deviceId, string message);

    [LoggerMessage(EventId = 5751, Level = LogLevel.Information, Message = "Alert {AlertId} resolved")]
    public static partial void Resolved(ILogger logger, string alertId);

    [LoggerMessage(EventId = 5752, Level = LogLevel.Information, Message = "Alert {AlertId} acknowledged by {User}")]
    public static partial void Acknowledged(ILogger logger, string alertId, string user);

    [LoggerMessage(EventId = 5753, Level = LogLevel.Error, Message = "Alert evaluation failed; retried at the next interval")]
    public static partial void EvaluationFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5754, Level = LogLevel.Warning, Message = "Alert changes from other instances not received ({Reason}); listening again in {Delay}")]
    public static partial void FeedInterrupted(ILogger logger, string reason, TimeSpan delay);
}
