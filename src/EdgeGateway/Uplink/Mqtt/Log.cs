using EdgeGateway.Contracts.V1;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Uplink.Mqtt;

/// <summary>Uplink/Mqtt log messages (event ids 2100-2199).</summary>
internal static partial class Log
{
    [LoggerMessage(2100, LogLevel.Information, "MQTT link {From} -> {To} ({Trigger}: {Reason})")]
    public static partial void LinkStateChanged(ILogger logger, LinkState from, LinkState to, LinkTrigger trigger, string reason);

    [LoggerMessage(2101, LogLevel.Information, "MQTT connected to {Host}:{Port} as {ClientId} (session present: {SessionPresent})")]
    public static partial void Connected(ILogger logger, string host, int port, string clientId, bool sessionPresent);

    [LoggerMessage(2102, LogLevel.Warning, "MQTT connect to {Host}:{Port} failed (attempt {Attempt}); next try in {Delay}: {Error}")]
    public static partial void ConnectFailed(ILogger logger, string host, int port, int attempt, TimeSpan delay, string error);

    [LoggerMessage(2103, LogLevel.Warning, "MQTT connection lost ({Reason}); {InFlight} unacknowledged message(s) returned to the outbox")]
    public static partial void ConnectionLost(ILogger logger, string reason, int inFlight);

    [LoggerMessage(2105, LogLevel.Warning, "MQTT publish of {Count} message(s) to {Topic} failed: {Error}")]
    public static partial void PublishFailed(ILogger logger, int count, string topic, string error);

    [LoggerMessage(2106, LogLevel.Warning, "Ignoring a malformed DeliveryAck on {Topic}")]
    public static partial void MalformedAck(ILogger logger, string topic, Exception exception);

    [LoggerMessage(2108, LogLevel.Information, "MQTT uplink stopping: offline status published, disconnecting")]
    public static partial void Stopping(ILogger logger);

    [LoggerMessage(2109, LogLevel.Warning, "Publishing the offline status on shutdown failed; the broker's last will reports it instead")]
    public static partial void OfflineStatusFailed(ILogger logger, Exception exception);

    [LoggerMessage(2111, LogLevel.Information, "MQTT broker {Host}:{Port} accepts connections again; connecting now")]
    public static partial void BrokerReachable(ILogger logger, string host, int port);

    [LoggerMessage(2112, LogLevel.Warning, "Message on {Topic} not handled; the broker redelivers it on the next connection")]
    public static partial void DownlinkFailed(ILogger logger, string topic, Exception exception);
}
