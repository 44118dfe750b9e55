using Microsoft.Extensions.Logging;

namespace EdgeGateway.Transport;

/// <summary>Transport log messages (event ids 1100-1199).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Connected to {Source}")]
    public static partial void Connected(ILogger logger, string source);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Cannot connect to {Source}; retrying in {Delay}")]
    public static partial void ConnectFailed(ILogger logger, string source, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "{Source} closed the stream; reconnecting in {Delay}")]
    public static partial void EndOfStream(ILogger logger, string source, TimeSpan delay);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "Connection to {Source} failed; reconnecting in {Delay}")]
    public static partial void ConnectionFailed(ILogger logger, string source, TimeSpan delay, Exception exception);
}
