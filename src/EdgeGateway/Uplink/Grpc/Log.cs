using Microsoft.Extensions.Logging;

namespace EdgeGateway.Uplink.Grpc;

/// <summary>Registration log messages (event ids 2200-2299).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2200, Level = LogLevel.Information, Message = "Registering {DeviceId} ({Role}, version {Version}) with FleetControl at {Url}")]
    public static partial void Registering(ILogger logger, string deviceId, string role, string version, string url);

    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "Registered with FleetControl: topic prefix {TopicPrefix}, server time {ServerTime:o} (local clock differs by {Skew})")]
    public static partial void Registered(ILogger logger, string topicPrefix, DateTimeOffset serverTime, TimeSpan skew);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Warning, Message = "Register attempt {Attempt} failed ({Reason}); retrying in {Delay}")]
    public static partial void AttemptFailed(ILogger logger, int attempt, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Warning, Message = "FleetControl at {Url} unreachable after {Attempts} attempts ({Reason}); the gateway keeps buffering, next round in {Pause}")]
    public static partial void RoundFailed(ILogger logger, string url, int attempts, string reason, TimeSpan pause);

    [LoggerMessage(EventId = 2204, Level = LogLevel.Error, Message = "FleetControl refused the registration of {DeviceId}: {Reason}")]
    public static partial void Refused(ILogger logger, string deviceId, string reason);
}
