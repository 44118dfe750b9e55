namespace FleetControl.Ingest;

/// <summary>Ingest log messages (event ids 5000-5099).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5000, Level = LogLevel.Information, Message = "Ingest client {ClientId} connecting to MQTT broker {Broker} (persistent session, expiry {SessionExpiry})")]
    public static partial void Connecting(ILogger logger, string broker, string clientId, TimeSpan sessionExpiry);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Ingest client {ClientId} connected (session present: {SessionPresent}); subscribed to {Filters}")]
    public static partial void Connected(ILogger logger, string clientId, bool sessionPresent, string filters);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "Ingest client {ClientId} could not connect to {Broker}; retrying in {Delay}")]
    public static partial void ConnectFailed(ILogger logger, Exception exception, string clientId, string broker, TimeSpan delay);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "Ingest client {ClientId} disconnected: {Reason}")]
    public static partial void Disconnected(ILogger logger, string clientId, string reason);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Error, Message = "Subscription of {ClientId} to {Filter} refused by the broker: {ResultCode}")]
    public static partial void SubscribeRefused(ILogger logger, string clientId, string filter, string resultCode);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Information, Message = "Ingest session {ClientId} is no longer used (Mqtt:EventsSession is off): retired (the broker still had it: {SessionPresent}; messages taken from it: {Received})")]
    public static partial void SessionRetired(ILogger logger, string clientId, bool sessionPresent, int received);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Warning, Message = "Ingest session {ClientId} is no longer used (Mqtt:EventsSession is off) but could not be retired; the broker keeps it until it expires (Mqtt:SessionExpiry)")]
    public static partial void SessionRetireFailed(ILogger logger, Exception exception, string clientId);

    [LoggerMessage(EventId = 5010, Level = LogLevel.Warning, Message = "Rejected payload on {Topic}: {Reason}")]
    public static partial void PayloadRejected(ILogger logger, string topic, string reason);

    [LoggerMessage(EventId = 5011, Level = LogLevel.Warning, Message = "Rejected envelope {MessageId} on {Topic}: {Reason}")]
    public static partial void EnvelopeRejected(ILogger logger, string messageId, string topic, string reason);

    [LoggerMessage(EventId = 5012, Level = LogLevel.Information, Message = "Device {DeviceId} status: online={Online}")]
    public static partial void StatusApplied(ILogger logger, string deviceId, bool online);

    [LoggerMessage(EventId = 5020, Level = LogLevel.Debug, Message = "Committed {Stored} new and {Duplicates} duplicate envelopes from {Batches} batches")]
    public static partial void Committed(ILogger logger, int stored, int duplicates, int batches);

    [LoggerMessage(EventId = 5021, Level = LogLevel.Critical, Message = "Store commit failed; stopping FleetControl (nothing was acknowledged, devices will re-send)")]
    public static partial void CommitFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5022, Level = LogLevel.Warning, Message = "DeliveryAck to {DeviceId} not published ({Count} ids); the device will re-send")]
    public static partial void AckFailed(ILogger logger, Exception? exception, string deviceId, int count);

    [LoggerMessage(EventId = 5023, Level = LogLevel.Debug, Message = "MQTT PUBACK to the broker failed (the broker will redeliver)")]
    public static partial void PubAckFailed(ILogger logger, Exception exception);
}
