namespace FleetControl.Tetra;

/// <summary>TETRA gateway log messages (event ids 5960-5979).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5960, Level = LogLevel.Information, Message = "TETRA gateway ISSI {Issi} listening for the network link on {EndPoint} ({Terminals} terminal(s) known)")]
    public static partial void Listening(ILogger logger, string issi, string endPoint, int terminals);

    [LoggerMessage(EventId = 5961, Level = LogLevel.Information, Message = "TETRA network link connected from {Remote}")]
    public static partial void LinkConnected(ILogger logger, string remote);

    [LoggerMessage(EventId = 5962, Level = LogLevel.Warning, Message = "TETRA network link from {Remote} ended: {Reason}")]
    public static partial void LinkEnded(ILogger logger, string remote, string reason);

    [LoggerMessage(EventId = 5963, Level = LogLevel.Warning, Message = "SDS from {Calling} refused: {Reason}")]
    public static partial void Refused(ILogger logger, string calling, string reason);

    [LoggerMessage(EventId = 5964, Level = LogLevel.Information, Message = "Envelope {MessageId} ({Priority}) of {DeviceId} arrived over TETRA from {Calling}")]
    public static partial void Received(ILogger logger, string messageId, EdgeGateway.Contracts.V1.PriorityClass priority, string deviceId, string calling);

    [LoggerMessage(EventId = 5965, Level = LogLevel.Debug, Message = "SDS from {Calling} ignored: {What}")]
    public static partial void Ignored(ILogger logger, string calling, string what);

    [LoggerMessage(EventId = 5966, Level = LogLevel.Information, Message = "LIP position of {DeviceId} from {Calling}: {Latitude:F5},{Longitude:F5}")]
    public static partial void Location(ILogger logger, string deviceId, string calling, double latitude, double longitude);

    [LoggerMessage(EventId = 5967, Level = LogLevel.Information, Message = "Status 0x{Status:X4} of {DeviceId} from {Calling}")]
    public static partial void Status(ILogger logger, string deviceId, string calling, ushort status);
}
