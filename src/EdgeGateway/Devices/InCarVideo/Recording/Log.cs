using Microsoft.Extensions.Logging;

namespace EdgeGateway.Devices.InCarVideo.Recording;

/// <summary>In-car video recording log messages (event ids 1550-1579).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1550, Level = LogLevel.Information, Message = "Camera {Camera}: recording {Url} into the ring (generation {Generation}, ffmpeg pid {Pid})")]
    public static partial void CameraStarted(ILogger logger, string camera, string url, int generation, int pid);

    [LoggerMessage(EventId = 1551, Level = LogLevel.Warning, Message = "Camera {Camera} fault: {Reason}; reconnecting in {Delay}")]
    public static partial void CameraFault(ILogger logger, string camera, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 1552, Level = LogLevel.Information, Message = "Camera {Camera} delivers again")]
    public static partial void CameraRecovered(ILogger logger, string camera);

    [LoggerMessage(EventId = 1553, Level = LogLevel.Warning, Message = "Ring file {Path} could not be handled: {Reason}")]
    public static partial void RingDeleteFailed(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 1554, Level = LogLevel.Warning, Message = "Camera {Camera}: stopped ffmpeg pid {Pid} left by a previous run")]
    public static partial void StaleRecorderStopped(ILogger logger, string camera, int pid);

    [LoggerMessage(EventId = 1555, Level = LogLevel.Warning, Message = "Video ring over its quota of {Quota} bytes: dropped {Segment} of camera {Camera}, which is inside the pre-event time")]
    public static partial void RingOverQuota(ILogger logger, long quota, string segment, string camera);

    [LoggerMessage(EventId = 1556, Level = LogLevel.Information, Message = "Incident {Incident} opened by {Source} {State}: {Cameras} camera(s) from {WindowStart:O}")]
    public static partial void IncidentOpened(ILogger logger, string incident, string source, TriggerState state, int cameras, DateTimeOffset windowStart);

    [LoggerMessage(EventId = 1557, Level = LogLevel.Information, Message = "Incident {Incident} closed ({Reason}): recording ended at {EndsAt:O}")]
    public static partial void IncidentClosed(ILogger logger, string incident, string reason, DateTimeOffset endsAt);

    [LoggerMessage(EventId = 1558, Level = LogLevel.Information, Message = "Clip {EvidenceId} ({Incident}, camera {Camera}): {Segments} segment(s), {Bytes} bytes, sha256 {Sha256}")]
    public static partial void ClipAssembled(ILogger logger, string evidenceId, string incident, string camera, int segments, long bytes, string sha256);

    [LoggerMessage(EventId = 1559, Level = LogLevel.Information, Message = "Clip {EvidenceId} in the vault: receipt sha256 {Sha256} matches")]
    public static partial void ClipVerified(ILogger logger, string evidenceId, string sha256);

    [LoggerMessage(EventId = 1560, Level = LogLevel.Warning, Message = "Clip {EvidenceId} not finished: {Reason}; tried again in {Delay}")]
    public static partial void ClipRetry(ILogger logger, string evidenceId, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 1561, Level = LogLevel.Information, Message = "Incident {Incident} resumed after a restart ({Clips} clip(s), closed {Closed})")]
    public static partial void IncidentResumed(ILogger logger, string incident, int clips, bool closed);

    [LoggerMessage(EventId = 1562, Level = LogLevel.Information, Message = "Clip {EvidenceId} is staged and held for the {WaitsFor} (not critical: it may not use LTE); it stays on the vehicle until a matching receipt")]
    public static partial void ClipHeld(ILogger logger, string evidenceId, string waitsFor);

    [LoggerMessage(EventId = 1563, Level = LogLevel.Information, Message = "Clip bearer: {Count} held clip(s) tried again ({Reason})")]
    public static partial void HeldReleased(ILogger logger, int count, string reason);

    [LoggerMessage(EventId = 1564, Level = LogLevel.Information, Message = "Depot: {AtDepot} ({Reason})")]
    public static partial void DepotChanged(ILogger logger, bool atDepot, string reason);

    [LoggerMessage(EventId = 1565, Level = LogLevel.Information, Message = "Depot detection is not configured (Video:Depot): every clip uploads over any link")]
    public static partial void DepotNotConfigured(ILogger logger);

    [LoggerMessage(EventId = 1566, Level = LogLevel.Warning, Message = "Ignition off: recording through the post-event time, then flushing; the gateway stops by {Deadline:O} at the latest (battery protection, Video:PowerDown:Delay {Delay})")]
    public static partial void PowerDownArmed(ILogger logger, DateTimeOffset deadline, TimeSpan delay);

    [LoggerMessage(EventId = 1567, Level = LogLevel.Information, Message = "Ignition on again: the power-down is called off")]
    public static partial void PowerDownCancelled(ILogger logger);

    [LoggerMessage(EventId = 1568, Level = LogLevel.Warning, Message = "Ignition off {Elapsed} ago: {Why}; {Held} clip(s) held for the depot, {Pending} not yet uploaded (they resume at the next start). Stopping the gateway to protect the vehicle battery")]
    public static partial void PowerDownStopping(ILogger logger, TimeSpan elapsed, string why, int held, int pending);

    [LoggerMessage(EventId = 1569, Level = LogLevel.Warning, Message = "The pre-event ring {Directory} is plaintext on {FileSystem} ({Source}, mounted at {MountPoint}): ffmpeg writes it before the gateway could seal it. Mount a tmpfs there (sized by Video:RingQuotaBytes) or use an encrypted volume (LUKS) so a stolen vehicle PC holds none of it")]
    public static partial void RingPlaintextOnDisk(ILogger logger, string directory, string fileSystem, string source, string mountPoint);

    [LoggerMessage(EventId = 1570, Level = LogLevel.Warning, Message = "Clip {EvidenceId}: the vehicle left the depot mid-upload ({Written} of {Size} bytes sent); upload stopped (it may not use LTE), held until the depot, where it resumes from the vault's offset")]
    public static partial void UploadStopped(ILogger logger, string evidenceId, long written, long size);
}
