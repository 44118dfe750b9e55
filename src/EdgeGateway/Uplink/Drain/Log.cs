using Microsoft.Extensions.Logging;

namespace EdgeGateway.Uplink.Drain;

/// <summary>Uplink/Drain log messages (event ids kept from when they lived in the MQTT uplink: 2104, 2107, 2110).</summary>
internal static partial class Log
{
    [LoggerMessage(2104, LogLevel.Warning, "No DeliveryAck within {AckTimeout} for {Count} message(s); returning all leases to the outbox to re-send")]
    public static partial void AckTimeout(ILogger logger, TimeSpan ackTimeout, int count);

    [LoggerMessage(2107, LogLevel.Error, "Acknowledging {Count} message(s) in the outbox failed; they will be re-sent and acknowledged again")]
    public static partial void AcknowledgeFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(2110, LogLevel.Debug, "Skipped {Count} message(s) that expired after being leased")]
    public static partial void SkippedExpired(ILogger logger, int count);
}
