namespace FleetControl.Api;

/// <summary>REST API and start-up log messages (event ids 5400-5499).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5400, Level = LogLevel.Information, Message = "FleetControl REST API on {RestUrl} (HTTP/1.1), gRPC on {GrpcUrl} (HTTP/2), MQTT {Broker}, data in {DataDirectory}")]
    public static partial void Listening(ILogger logger, string restUrl, string grpcUrl, string broker, string dataDirectory);

    [LoggerMessage(EventId = 5401, Level = LogLevel.Debug, Message = "Device {DeviceId} not found")]
    public static partial void DeviceNotFound(ILogger logger, string deviceId);
}
