using Microsoft.Extensions.Logging;

namespace EdgeGateway.Time;

/// <summary>Clock log messages (event ids 4980-4989).</summary>
internal static partial class Log
{
    [LoggerMessage(4980, LogLevel.Warning, "The wall clock stepped by {Seconds} s (from {Before:O} to {After:O}; synchronised {Synchronised}); open evidence items record it in their custody logs")]
    public static partial void ClockStepped(ILogger logger, double seconds, DateTimeOffset before, DateTimeOffset after, bool synchronised);
}
