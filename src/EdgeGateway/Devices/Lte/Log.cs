using EdgeGateway.Devices.Modem;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Devices.Lte;

/// <summary>LTE modem log messages (event ids 1300-1329).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1300, Level = LogLevel.Information, Message = "LTE modem adapter starting on {Source}")]
    public static partial void Starting(ILogger logger, string source);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Warning, Message = "LTE modem does not answer AT ({Result}); reopening the line")]
    public static partial void NotAnswering(ILogger logger, AtResponse result);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Information, Message = "LTE bearer {State} (CEREG stat {Stat}, RSRP {Rsrp} dBm, address {Address})")]
    public static partial void StateChanged(ILogger logger, LteBearerState state, int? stat, int? rsrp, string? address);
}
