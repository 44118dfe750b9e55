namespace FleetControl.Evidence;

/// <summary>Evidence vault log messages (event ids 5300-5399).</summary>
internal static partial class Log
{
    [LoggerMessage(5300, LogLevel.Information, "Upload of {EvidenceId} from {DeviceId} starts at {Offset} of {Size} bytes")]
    public static partial void UploadStarted(ILogger logger, string evidenceId, string deviceId, long offset, long size);

    [LoggerMessage(5301, LogLevel.Information, "Stored {EvidenceId}: {Size} bytes, SHA-256 {Sha256}")]
    public static partial void Stored(ILogger logger, string evidenceId, long size, string sha256);

    [LoggerMessage(5302, LogLevel.Information, "Repeated upload of {EvidenceId}: returning the existing receipt")]
    public static partial void Repeated(ILogger logger, string evidenceId);

    [LoggerMessage(5310, LogLevel.Warning, "Chunk of {EvidenceId} at offset {Offset} failed its CRC32C check (expected {Expected:x8}, got {Actual:x8}); rejected")]
    public static partial void ChunkCorrupt(ILogger logger, string evidenceId, long offset, uint expected, uint actual);

    [LoggerMessage(5311, LogLevel.Warning, "Upload of {EvidenceId} ended at {Offset} of {Size} bytes; kept as partial for resume")]
    public static partial void UploadIncomplete(ILogger logger, string evidenceId, long offset, long size);

    [LoggerMessage(5312, LogLevel.Error, "{EvidenceId}: received bytes hash to {Actual}, the dock claims {Expected}; partial discarded")]
    public static partial void HashMismatch(ILogger logger, string evidenceId, string expected, string actual);

    [LoggerMessage(5313, LogLevel.Error, "{EvidenceId}: custody chain rejected: {Reason}")]
    public static partial void CustodyRejected(ILogger logger, string evidenceId, string reason);

    [LoggerMessage(5320, LogLevel.Information, "{EvidenceId}: {Count} custody entries appended")]
    public static partial void CustodyAppended(ILogger logger, string evidenceId, int count);

    [LoggerMessage(5330, LogLevel.Information, "Evidence index ready: {Count} items from the vault's receipts in {Seconds:0.00} s")]
    public static partial void IndexReady(ILogger logger, int count, double seconds);
}
