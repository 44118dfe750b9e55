using EdgeGateway.Contracts.V1;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Commands;

/// <summary>Command and configuration log messages (event ids 2400-2499).</summary>
internal static partial class Log
{
    [LoggerMessage(2400, LogLevel.Information, "Command {CommandId} ({Kind}): {Outcome} {Reason}")]
    public static partial void Completed(ILogger logger, string commandId, Command.BodyOneofCase kind, CommandOutcome outcome, string reason);

    [LoggerMessage(2401, LogLevel.Information, "Command {CommandId} already completed; answering with the stored result")]
    public static partial void Repeated(ILogger logger, string commandId);

    [LoggerMessage(2402, LogLevel.Warning, "Configuration version {Version} rejected, the running configuration is kept: {Reason}")]
    public static partial void ConfigurationRejected(ILogger logger, long version, string reason);

    [LoggerMessage(2403, LogLevel.Information, "Configuration version {Version} written to {Path}; restart needed: {Restart}")]
    public static partial void ConfigurationApplied(ILogger logger, long version, string path, bool restart);

    [LoggerMessage(2404, LogLevel.Warning, "Restarting the service on command {CommandId}: {Reason}")]
    public static partial void Restarting(ILogger logger, string commandId, string reason);

    [LoggerMessage(2405, LogLevel.Warning, "Unreadable command on {Topic}: {Error}; answered FAILED")]
    public static partial void MalformedCommand(ILogger logger, string topic, string error);

    [LoggerMessage(2406, LogLevel.Warning, "Command on {Topic} names id {CommandId} and device {DeviceId}; answered FAILED, not run")]
    public static partial void MisaddressedCommand(ILogger logger, string topic, string commandId, string deviceId);
}
