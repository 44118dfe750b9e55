using Microsoft.Extensions.Logging;

namespace EdgeGateway.Hosting.MemoryTrim;

/// <summary>Memory trim log messages (event ids 4990-4994).</summary>
internal static partial class Log
{
    [LoggerMessage(4990, LogLevel.Information, "Memory trim ({Reason}): compacting full collection took {Elapsed}; GC heap {BeforeBytes} -> {AfterBytes} bytes")]
    public static partial void Trimmed(ILogger logger, string reason, TimeSpan elapsed, long beforeBytes, long afterBytes);

    [LoggerMessage(4991, LogLevel.Warning, "Memory trim ({Reason}) failed; the gateway carries on without it")]
    public static partial void Failed(ILogger logger, string reason, Exception exception);
}
