using Microsoft.Extensions.Logging;

namespace EdgeGateway.Evidence;

/// <summary>Evidence offload log messages (event ids 3000-3199).</summary>
internal static partial class Log
{
    [LoggerMessage(3000, LogLevel.Information, "Camera {Serial} docked in bay {Bay} (battery {Battery}%)")]
    public static partial void CameraDocked(ILogger logger, int bay, string serial, int battery);

    [LoggerMessage(3001, LogLevel.Information, "Camera {Serial} undocked from bay {Bay}")]
    public static partial void CameraUndocked(ILogger logger, int bay, string serial);

    [LoggerMessage(3010, LogLevel.Information, "Copying {EvidenceId} ({File}, {Size} bytes, critical {Critical}) from bay {Bay}, resuming at {Offset}")]
    public static partial void CopyStarted(ILogger logger, string evidenceId, string file, long size, bool critical, int bay, long offset);

    [LoggerMessage(3011, LogLevel.Information, "Copied {EvidenceId}: {Size} bytes, SHA-256 {Sha256}, {Copied} bytes copied this run")]
    public static partial void CopyFinished(ILogger logger, string evidenceId, long size, string sha256, long copied);

    [LoggerMessage(3012, LogLevel.Warning, "Camera in bay {Bay} undocked while copying {EvidenceId} at {Offset} bytes; the item stays incomplete until re-docked")]
    public static partial void CopyInterrupted(ILogger logger, int bay, string evidenceId, long offset);

    [LoggerMessage(3020, LogLevel.Warning, "ALARM staging full: {EvidenceId} needs {Needed} bytes, staging holds {Used} of {Quota} (free disk {Free}); offload paused")]
    public static partial void StagingFull(ILogger logger, string evidenceId, long needed, long used, long quota, long free);

    [LoggerMessage(3021, LogLevel.Information, "Staging has room again; offload resumed")]
    public static partial void StagingResumed(ILogger logger);

    [LoggerMessage(3030, LogLevel.Information, "Uploading {EvidenceId} from offset {Offset} of {Size}")]
    public static partial void UploadStarted(ILogger logger, string evidenceId, long offset, long size);

    [LoggerMessage(3031, LogLevel.Warning, "Upload of {EvidenceId} failed (attempt {Attempt}), retrying in {Delay}: {Reason}")]
    public static partial void UploadRetry(ILogger logger, string evidenceId, int attempt, TimeSpan delay, string reason);

    [LoggerMessage(3032, LogLevel.Information, "Receipt for {EvidenceId}: SHA-256 {Sha256}, {Size} bytes, stored {StoredAt}")]
    public static partial void ReceiptVerified(ILogger logger, string evidenceId, string sha256, long size, string storedAt);

    [LoggerMessage(3033, LogLevel.Error, "Receipt for {EvidenceId} does not match: local {LocalSha256}/{LocalSize}, vault {VaultSha256}/{VaultSize}; nothing wiped")]
    public static partial void ReceiptMismatch(ILogger logger, string evidenceId, string localSha256, long localSize, string vaultSha256, long vaultSize);

    [LoggerMessage(3037, LogLevel.Error, "Receipt for {EvidenceId} is not trusted: {Problem}; nothing wiped")]
    public static partial void ReceiptUnverified(ILogger logger, string evidenceId, string problem);

    [LoggerMessage(3034, LogLevel.Warning, "Offload of {EvidenceId} failed; retry after {Backoff}; nothing wiped")]
    public static partial void OffloadFailed(ILogger logger, Exception exception, string evidenceId, TimeSpan backoff);

    [LoggerMessage(3040, LogLevel.Information, "{EvidenceId}: {Policy} on camera {Serial} ({File})")]
    public static partial void CameraRetention(ILogger logger, string evidenceId, string policy, string serial, string file);

    [LoggerMessage(3050, LogLevel.Warning, "Custody sync of {EvidenceId} to the vault failed; will retry")]
    public static partial void CustodySyncFailed(ILogger logger, Exception exception, string evidenceId);

    [LoggerMessage(3070, LogLevel.Warning, "ALARM {Type} ({Key}): {Detail}")]
    public static partial void AlarmRaised(ILogger logger, string type, string key, string detail);

    [LoggerMessage(3071, LogLevel.Warning, "{EvidenceId} ({File}): {Problem}; offloaded with what is known (camera, file times)")]
    public static partial void SidecarProblem(ILogger logger, string evidenceId, string file, string problem);

    [LoggerMessage(3072, LogLevel.Warning, "Resume of {EvidenceId}: the {Staged} staged bytes differ from the camera's at {At}; copy restarts from 0")]
    public static partial void StagedPrefixMismatch(ILogger logger, string evidenceId, long staged, long at);

    [LoggerMessage(3060, LogLevel.Warning, "Could not write dock status")]
    public static partial void StatusWriteFailed(ILogger logger, Exception exception);
}
