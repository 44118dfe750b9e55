using Microsoft.Extensions.Logging;

namespace FleetControl.Store;

/// <summary>Store log messages (event ids 5180-5189, in the broker/ingest range).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5180, Level = LogLevel.Warning, Message = "LiteDB writer queue not reachable ({Reason}); every store commit falls back to a checkpoint to stay durable")]
    public static partial void DurableWaitFallback(ILogger logger, string reason);
}
