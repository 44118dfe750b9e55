using Microsoft.Extensions.Logging;

namespace EdgeGateway.Devices.Modem;

/// <summary>AT session log messages (event ids 1200-1249).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1200, Level = LogLevel.Warning, Message = "AT command {Command} timed out after {Timeout}")]
    public static partial void CommandTimedOut(ILogger logger, string command, TimeSpan timeout);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Debug, Message = "AT command {Command} ended {Result}")]
    public static partial void CommandEnded(ILogger logger, string command, AtResponse result);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "No '>' prompt for {Command} within {Timeout}; PDU cancelled")]
    public static partial void NoPrompt(ILogger logger, string command, TimeSpan timeout);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning, Message = "Unsolicited result code dropped (nobody reading): {Line}")]
    public static partial void UnsolicitedDropped(ILogger logger, string line);
}
