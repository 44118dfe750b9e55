using EdgeGateway.Contracts.V1;
using Microsoft.Extensions.Logging;

namespace EdgeGateway.Outbox;

/// <summary>Outbox log messages (event ids 2000-2099).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "Outbox store {Path} open: {Depth} messages queued ({Bytes} bytes)")]
    public static partial void StoreOpened(ILogger logger, string path, long depth, long bytes);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Critical, Message = "Outbox store {Path} is unreadable; quarantined as {QuarantinePath} and a fresh store opened. Durability DEGRADED")]
    public static partial void StoreQuarantined(ILogger logger, Exception exception, string path, string quarantinePath);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Critical, Message = "Outbox store {Path} cannot be opened; every enqueue is refused until it can")]
    public static partial void StoreUnavailable(ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Error, Message = "ALARM: outbox class {Priority} is at its quota of {QuotaBytes} bytes; new messages are refused ({Count} refused so far)")]
    public static partial void QuotaRefused(ILogger logger, PriorityClass priority, long quotaBytes, ulong count);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Error, Message = "ALARM: free disk {FreeBytes} bytes is below the reserve of {ReserveBytes} bytes; class {Priority} is refused")]
    public static partial void DiskReserveRefused(ILogger logger, long freeBytes, long reserveBytes, PriorityClass priority);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "Telemetry at quota: thinned {Thinned} and evicted {Evicted} history messages")]
    public static partial void TelemetryReduced(ILogger logger, int thinned, int evicted);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "{Count} {Priority} messages expired unsent")]
    public static partial void Expired(ILogger logger, int count, PriorityClass priority);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Information, Message = "Data-loss report queued: {Priority} {Reason} x{Count}")]
    public static partial void DataLossReported(ILogger logger, PriorityClass priority, string reason, ulong count);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Error, Message = "Outbox write failed; {Count} messages refused")]
    public static partial void WriteFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Information, Message = "Outbox compacted while idle: {BytesBefore} -> {BytesAfter} bytes")]
    public static partial void Compacted(ILogger logger, long bytesBefore, long bytesAfter);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Warning, Message = "LiteDB writer queue not reachable ({Reason}); every commit falls back to a checkpoint to stay durable")]
    public static partial void DurableWaitFallback(ILogger logger, string reason);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Error, Message = "Outbox maintenance failed")]
    public static partial void MaintenanceFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Error, Message = "ALARM: free disk {FreeBytes} bytes is below the outbox reserve of {ReserveBytes} bytes")]
    public static partial void DiskLow(ILogger logger, long freeBytes, long reserveBytes);

    [LoggerMessage(EventId = 2014, Level = LogLevel.Warning, Message = "Outbox read failed; nothing leased this time")]
    public static partial void ReadFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2013, Level = LogLevel.Warning, Message = "Outbox acknowledgement write failed; the messages stay queued and will be resent")]
    public static partial void AcknowledgeFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2015, Level = LogLevel.Critical, Message = "ALARM: {Count} {Priority} messages failed their checksum in the outbox store and were not sent; counted as lost (corrupt)")]
    public static partial void ChecksumFailed(ILogger logger, int count, PriorityClass priority);

    [LoggerMessage(EventId = 2016, Level = LogLevel.Warning, Message = "Salvaged quarantined outbox file {File}: {Recovered} intact messages queued again, {Lost} unreadable and counted as lost")]
    public static partial void Salvaged(ILogger logger, string file, long recovered, long lost);

    [LoggerMessage(EventId = 2017, Level = LogLevel.Critical, Message = "ALARM: the outbox's disk is full (free {FreeBytes} bytes); released the {ReleasedBytes}-byte reserve file: only Emergency and Alert messages are stored until space returns")]
    public static partial void DiskFull(ILogger logger, Exception? exception, long releasedBytes, long freeBytes);

    [LoggerMessage(EventId = 2018, Level = LogLevel.Warning, Message = "Disk space is back (free {FreeBytes} bytes); the {ReserveBytes}-byte reserve file is in place again and every class is stored")]
    public static partial void DiskFullCleared(ILogger logger, long freeBytes, long reserveBytes);

    [LoggerMessage(EventId = 2019, Level = LogLevel.Error, Message = "The outbox store failed ({Reason}); closed and reopened without restarting")]
    public static partial void StoreFailed(ILogger logger, Exception exception, string reason);

    [LoggerMessage(EventId = 2090, Level = LogLevel.Error, Message = "ALARM: outbox payloads cannot be encrypted this run ({Reason}); new messages are stored unencrypted until a restart with free space")]
    public static partial void EncryptionUnavailable(ILogger logger, string reason);

    [LoggerMessage(EventId = 2020, Level = LogLevel.Warning, Message = "Could not create the outbox reserve file {Path}")]
    public static partial void ReserveFileFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 2021, Level = LogLevel.Error, Message = "Outbox store {Path} cannot be opened: the disk is full. Not quarantined (the file is intact); retried every maintenance pass")]
    public static partial void StoreOpenDiskFull(ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 2022, Level = LogLevel.Error, Message = "ALARM: the disk is full (free {FreeBytes} bytes): class {Priority} is refused; only Emergency and Alert are stored")]
    public static partial void DiskFullRefused(ILogger logger, PriorityClass priority, long freeBytes);

    [LoggerMessage(EventId = 2023, Level = LogLevel.Warning, Message = "Could not store or read the dedupe key of message {MessageId}; it is kept in memory only")]
    public static partial void DedupeKeyFailed(ILogger logger, Exception exception, string messageId);
}
