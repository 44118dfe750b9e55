namespace FleetControl.Anpr;

/// <summary>ANPR log messages (event ids 5900-5999).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5900, Level = LogLevel.Warning, Message = "ANPR hit from {DeviceId}: {Vrm} matches {EntryVrm} on {List} ({Reason})")]
    public static partial void Hit(ILogger logger, string deviceId, string vrm, string entryVrm, string list, string reason);

    [LoggerMessage(EventId = 5901, Level = LogLevel.Error, Message = "ANPR image {ReadId}/{Kind} from {DeviceId}: SHA-256 {Actual} is not the {Expected} taken at capture; kept and flagged")]
    public static partial void ImageHashMismatch(ILogger logger, string deviceId, string readId, string kind, string actual, string expected);

    [LoggerMessage(EventId = 5902, Level = LogLevel.Information, Message = "ANPR retention purge: {Reads} read(s), {Images} image(s) and {Hits} hit(s) captured before {Cutoff:o} deleted")]
    public static partial void Purged(ILogger logger, int reads, int images, int hits, DateTimeOffset cutoff);

    [LoggerMessage(EventId = 5903, Level = LogLevel.Information, Message = "Hotlist version {Version} by {User}: {Upserts} added or changed, {Removals} removed; {Entries} entries")]
    public static partial void HotlistChanged(ILogger logger, long version, string user, int upserts, int removals, int entries);

    [LoggerMessage(EventId = 5904, Level = LogLevel.Information, Message = "Hotlist to {DeviceId}: {Kind} from version {From} to {To} ({Commands} command(s))")]
    public static partial void HotlistSent(ILogger logger, string deviceId, string kind, long from, long to, int commands);

    [LoggerMessage(EventId = 5905, Level = LogLevel.Information, Message = "{DeviceId} holds hotlist version {Version}")]
    public static partial void DeviceVersion(ILogger logger, string deviceId, long version);

    [LoggerMessage(EventId = 5906, Level = LogLevel.Error, Message = "Hotlist distribution to {DeviceId} failed")]
    public static partial void DistributionFailed(ILogger logger, Exception exception, string deviceId);

    [LoggerMessage(EventId = 5907, Level = LogLevel.Error, Message = "ANPR retention purge failed; retried at the next interval")]
    public static partial void PurgeFailed(ILogger logger, Exception exception);
}
