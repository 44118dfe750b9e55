using Microsoft.Extensions.Logging;

namespace FleetControl.Store;

/// <summary>Store log messages (event ids 5180-5189, in the broker/ingest range).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5180, Level = LogLevel.Warning, Message = "LiteDB writer queue not reachable ({Reason}); every store commit falls back to a checkpoint to stay durable")]
    public static partial void DurableWaitFallback(ILogger logger, string reason);

    [LoggerMessage(EventId = 5181, Level = LogLevel.Information, Message = "PostgreSQL store schema at version {Version} ({Applied} applied now)")]
    public static partial void SchemaReady(ILogger logger, int version, int applied);

    [LoggerMessage(EventId = 5182, Level = LogLevel.Information, Message = "Store retention dropped {Count} partitions: {Names}")]
    public static partial void PartitionsDropped(ILogger logger, int count, string names);

    [LoggerMessage(EventId = 5183, Level = LogLevel.Warning, Message = "Store retention failed; it tries again in an hour")]
    public static partial void RetentionFailed(ILogger logger, Exception exception);
}
