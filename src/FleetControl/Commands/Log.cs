namespace FleetControl.Commands;

/// <summary>Command and configuration log messages (event ids 5700-5749).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5700, Level = LogLevel.Information, Message = "Command {CommandId} ({Kind}) for {DeviceId} queued, expires {ExpiresAt:o}")]
    public static partial void Queued(ILogger logger, string commandId, string kind, string deviceId, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 5701, Level = LogLevel.Information, Message = "Command {CommandId} for {DeviceId}: {State} {Reason}")]
    public static partial void StateChanged(ILogger logger, string commandId, string deviceId, CommandState state, string reason);

    [LoggerMessage(EventId = 5702, Level = LogLevel.Warning, Message = "Result for unknown command {CommandId} from {DeviceId} ignored")]
    public static partial void UnknownResult(ILogger logger, string commandId, string deviceId);

    [LoggerMessage(EventId = 5703, Level = LogLevel.Warning, Message = "Command {CommandId} for {DeviceId} could not be published; it is re-sent when the device next comes online")]
    public static partial void PublishFailed(ILogger logger, string commandId, string deviceId);

    [LoggerMessage(EventId = 5704, Level = LogLevel.Information, Message = "Rollout {RolloutId}: {Message}")]
    public static partial void Rollout(ILogger logger, string rolloutId, string message);
}
