using Microsoft.Extensions.Logging;

namespace EdgeGateway.Simulators.Gps;

/// <summary>Log messages of the GPS simulator (event ids 7000-7049).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 7000, Level = LogLevel.Information, Message = "GPS simulator started: {Source} at {Rate} units/s, speed factor {SpeedFactor}")]
    public static partial void Started(ILogger logger, string source, double rate, double speedFactor);

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "GPS simulator stopped: {Fixes} fixes, {Sentences} sentences, {Bytes} bytes")]
    public static partial void Stopped(ILogger logger, long fixes, long sentences, long bytes);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "GPS simulator fell behind by {Units} units; skipped them")]
    public static partial void FellBehind(ILogger logger, long units);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Information, Message = "Replay source {Name} ended")]
    public static partial void SourceEnded(ILogger logger, string name);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Information, Message = "Replay file {Name}: {Lines} lines, fixes counted on {FixType}")]
    public static partial void ReplayLoaded(ILogger logger, string name, int lines, string fixType);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Error, Message = "GPS simulator output failed to start: {Reason}")]
    public static partial void OutputFailed(ILogger logger, string reason);
}
