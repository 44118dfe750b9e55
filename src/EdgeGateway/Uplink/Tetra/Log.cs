using EdgeGateway.Contracts.V1;
using EdgeGateway.Devices.Tetra;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Uplink.Tetra;

/// <summary>Uplink/Tetra log messages (event ids 2700-2719).</summary>
internal static partial class Log
{
    [LoggerMessage(2700, LogLevel.Warning, "LTE is down and the TETRA terminal is registered: draining {Classes} over TETRA SDS to {Dispatcher}")]
    public static partial void FailedOver(ILogger logger, string classes, string dispatcher);

    [LoggerMessage(2701, LogLevel.Information, "TETRA drain ended ({Reason}); {Stored} message(s) stored over TETRA so far")]
    public static partial void FallbackEnded(ILogger logger, string reason, long stored);

    [LoggerMessage(2702, LogLevel.Information, "{MessageId} ({Priority}) stored by FleetControl over TETRA as {Form}")]
    public static partial void Stored(ILogger logger, string messageId, PriorityClass priority, string form);

    [LoggerMessage(2703, LogLevel.Warning, "{MessageId} not stored over TETRA ({Outcome}: {Detail}); it is sent again later")]
    public static partial void NotStored(ILogger logger, string messageId, SdsSendOutcome outcome, string detail);

    [LoggerMessage(2704, LogLevel.Warning, "TETRA reports overdue: {Reason}")]
    public static partial void ReportsOverdue(ILogger logger, string reason);
}
