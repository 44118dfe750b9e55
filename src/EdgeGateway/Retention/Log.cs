using Microsoft.Extensions.Logging;

namespace EdgeGateway.Retention;

/// <summary>Retained-history log messages (event ids 2560-2579).</summary>
internal static partial class Log
{
    [LoggerMessage(2560, LogLevel.Information, "Retained history {Path}: {Messages} messages ({Bytes} bytes) kept for resend-range")]
    public static partial void Opened(ILogger logger, string path, long messages, long bytes);

    [LoggerMessage(2561, LogLevel.Warning, "Retained history {Path} is unreadable ({Error}); replaced by an empty one (it held copies of delivered messages only)")]
    public static partial void Replaced(ILogger logger, string path, string error);

    [LoggerMessage(2562, LogLevel.Error, "Retained history unavailable ({Error}); delivered messages are not kept and resend-range finds nothing")]
    public static partial void Unavailable(ILogger logger, string error);

    [LoggerMessage(2563, LogLevel.Information, "Retained history: {Count} messages past their age deleted (longest kept {MaxAge})")]
    public static partial void Pruned(ILogger logger, int count, TimeSpan maxAge);

    [LoggerMessage(2564, LogLevel.Information, "Retained history: {Count} oldest messages deleted to stay within {MaxBytes} bytes")]
    public static partial void Trimmed(ILogger logger, int count, long maxBytes);

    [LoggerMessage(2565, LogLevel.Warning, "Retained history: {Count} delivered messages not kept: {Reason}")]
    public static partial void NotKept(ILogger logger, int count, string reason);

    [LoggerMessage(2566, LogLevel.Warning, "Retained history write failed; {Count} delivered messages not kept")]
    public static partial void WriteFailed(ILogger logger, int count, Exception exception);
}
