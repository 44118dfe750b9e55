namespace FleetControl.Mqtt;

/// <summary>Embedded broker log messages (event ids 5100-5199).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5100, Level = LogLevel.Information, Message = "Embedded MQTT broker listening on {Address}:{Port} ({Security})")]
    public static partial void BrokerStarted(ILogger logger, string address, int port, string security);

    [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "Embedded MQTT broker stopped")]
    public static partial void BrokerStopped(ILogger logger);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Warning, Message = "Refused MQTT connection from client id '{ClientId}': {Reason}")]
    public static partial void ConnectionRefused(ILogger logger, string clientId, string reason);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Warning, Message = "Refused publish from {ClientId} to {Topic}: outside its prefix")]
    public static partial void PublishRefused(ILogger logger, string clientId, string topic);

    [LoggerMessage(EventId = 5104, Level = LogLevel.Warning, Message = "Refused subscription of {ClientId} to {Filter}: outside its prefix")]
    public static partial void SubscriptionRefused(ILogger logger, string clientId, string filter);

    [LoggerMessage(EventId = 5105, Level = LogLevel.Information, Message = "Using external MQTT broker {Host}:{Port}")]
    public static partial void ExternalBroker(ILogger logger, string host, int port);

    [LoggerMessage(EventId = 5106, Level = LogLevel.Warning, Message = "Disconnected revoked device {DeviceId} from the embedded broker")]
    public static partial void RevokedClientDisconnected(ILogger logger, string deviceId);

    [LoggerMessage(EventId = 5107, Level = LogLevel.Error, Message = "Could not disconnect revoked device {DeviceId}")]
    public static partial void RevokedDisconnectFailed(ILogger logger, string deviceId, Exception exception);
}
