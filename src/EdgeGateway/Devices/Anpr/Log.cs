using Microsoft.Extensions.Logging;

namespace EdgeGateway.Devices.Anpr;

/// <summary>ANPR adapter log messages (event ids 1300-1399).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1300, Level = LogLevel.Information, Message = "ANPR camera listener on http://{Address}:{Port}/anpr/reads; hotlist version {Version} with {Entries} entries")]
    public static partial void Listening(ILogger logger, string address, int port, long version, int entries);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Warning, Message = "ANPR post refused ({Reason}) from {Remote}: {Detail}")]
    public static partial void Malformed(ILogger logger, string reason, string? remote, string detail);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "ANPR HOTLIST HIT: {Vrm} read by {Camera} matches {EntryVrm} on list {List} ({Match}): {Reason}")]
    public static partial void Hit(ILogger logger, string vrm, string camera, string entryVrm, string list, string match, string reason);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Information, Message = "ANPR hit on {Vrm} suppressed: already alerted within {Window}")]
    public static partial void Suppressed(ILogger logger, string vrm, TimeSpan window);

    [LoggerMessage(EventId = 1304, Level = LogLevel.Error, Message = "ANPR camera {Camera} has sent nothing for {Timeout}: fault raised")]
    public static partial void CameraSilent(ILogger logger, string camera, TimeSpan timeout);

    [LoggerMessage(EventId = 1305, Level = LogLevel.Information, Message = "ANPR camera {Camera} is sending again")]
    public static partial void CameraResumed(ILogger logger, string camera);

    [LoggerMessage(EventId = 1306, Level = LogLevel.Warning, Message = "ANPR {What} not stored: {Result}")]
    public static partial void Refused(ILogger logger, string what, Core.EnqueueResult result);

    [LoggerMessage(EventId = 1307, Level = LogLevel.Information, Message = "Hotlist version {Version} in use: {Entries} entries ({Rejected} rejected)")]
    public static partial void HotlistSwapped(ILogger logger, long version, int entries, int rejected);

    [LoggerMessage(EventId = 1308, Level = LogLevel.Warning, Message = "ANPR image folder {Folder} purged (older than {Days} days)")]
    public static partial void ImagesPurged(ILogger logger, string folder, int days);
}
