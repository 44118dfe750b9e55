using Microsoft.Extensions.Logging;

namespace EdgeGateway.Devices.Gnss;

/// <summary>GNSS adapter log messages (event ids 1000-1099).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "GNSS adapter starting on {Source}")]
    public static partial void Starting(ILogger logger, string source);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "GNSS receiver silent for {IdleTimeout}; reopening the connection")]
    public static partial void ReceiverSilent(ILogger logger, TimeSpan idleTimeout);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "GNSS fix mode changed from {Previous} to {Current}")]
    public static partial void ModeChanged(ILogger logger, int previous, int current);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Position not stored: {Result}")]
    public static partial void Refused(ILogger logger, Core.EnqueueResult result);
}
