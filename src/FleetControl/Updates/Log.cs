namespace FleetControl.Updates;

/// <summary>Update rollout log messages (event ids 6100-6119).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 6100, Level = LogLevel.Information, Message = "Update rollout {RolloutId}: {Message}")]
    public static partial void Rollout(ILogger logger, string rolloutId, string message);

    [LoggerMessage(EventId = 6101, Level = LogLevel.Warning, Message = "Update rollout {RolloutId} halted: {Reason}")]
    public static partial void Halted(ILogger logger, string rolloutId, string reason);
}
