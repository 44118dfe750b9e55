using EdgeGateway.Devices.Modem;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Devices.Tetra;

/// <summary>TETRA PEI adapter log messages (event ids 1250-1299).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1250, Level = LogLevel.Information, Message = "TETRA terminal adapter starting on {Source}")]
    public static partial void Starting(ILogger logger, string source);

    [LoggerMessage(EventId = 1251, Level = LogLevel.Information, Message = "TETRA terminal initialised ({Refused} initialisation command(s) refused)")]
    public static partial void Initialised(ILogger logger, int refused);

    [LoggerMessage(EventId = 1252, Level = LogLevel.Warning, Message = "TETRA terminal refused {Command}: {Result}")]
    public static partial void InitRefused(ILogger logger, string command, AtResponse result);

    [LoggerMessage(EventId = 1253, Level = LogLevel.Warning, Message = "TETRA terminal does not answer AT ({Result}); reopening the line")]
    public static partial void NotAnswering(ILogger logger, AtResponse result);

    [LoggerMessage(EventId = 1254, Level = LogLevel.Information, Message = "TETRA registration {State} (stat {Stat}), signal {Dbm} dBm")]
    public static partial void Registration(ILogger logger, string state, int? stat, int? dbm);

    [LoggerMessage(EventId = 1255, Level = LogLevel.Critical, Message = "TETRA EMERGENCY status {Status} from {Identity}; stored as {MessageId}")]
    public static partial void Emergency(ILogger logger, int status, string identity, string? messageId);

    [LoggerMessage(EventId = 1256, Level = LogLevel.Warning, Message = "Received SDS not understood ({Reason}): {Header} / {Data}")]
    public static partial void InvalidSds(ILogger logger, string reason, string header, string? data);

    [LoggerMessage(EventId = 1257, Level = LogLevel.Debug, Message = "SDS to {Destination} ({Bits} bits, ref {Reference}) ended {Outcome}: {Detail}")]
    public static partial void SdsEnded(ILogger logger, string destination, int bits, byte reference, SdsSendOutcome outcome, string detail);

    [LoggerMessage(EventId = 1258, Level = LogLevel.Warning, Message = "SDS to {Destination} (ref {Reference}) failed: {Detail}")]
    public static partial void SdsFailed(ILogger logger, string destination, byte reference, string detail);

    [LoggerMessage(EventId = 1259, Level = LogLevel.Warning, Message = "Emergency envelope refused by the outbox ({Result})")]
    public static partial void EmergencyRefused(ILogger logger, Core.EnqueueResult result);

    [LoggerMessage(EventId = 1260, Level = LogLevel.Warning, Message = "A radio emergency subscriber threw")]
    public static partial void SubscriberFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1261, Level = LogLevel.Information, Message = "SDS from {Calling}: {Kind} {Detail}")]
    public static partial void SdsReceived(ILogger logger, string calling, string kind, string detail);

    [LoggerMessage(EventId = 1262, Level = LogLevel.Warning, Message = "Urgent envelope {MessageId} not sent over TETRA: {Outcome} {Detail}")]
    public static partial void UrgentNotSent(ILogger logger, string messageId, SdsSendOutcome outcome, string detail);

    [LoggerMessage(EventId = 1263, Level = LogLevel.Information, Message = "Urgent envelope {MessageId} ({Priority}) sent over TETRA SDS: {Outcome}")]
    public static partial void UrgentSent(ILogger logger, string messageId, Contracts.V1.PriorityClass priority, SdsSendOutcome outcome);
}
