using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using EdgeGateway.Hosting;

namespace EdgeGateway.Evidence;

/// <summary>Evidence offload pipeline settings (configuration section <c>Evidence</c>).</summary>
[UnconditionalSuppressMessage("Trimming", "IL2026", Justification = OptionsValidation.KeptWhole)]
public sealed class EvidenceOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Evidence";

    /// <summary>Staging directory; empty means <c>{Gateway:DataDirectory}/evidence</c>.</summary>
    public string StagingDirectory { get; set; } = string.Empty;

    /// <summary>
    /// Encrypt new staged copies at rest (AES-256-GCM in 1 MiB segments, a data key per item wrapped by the device's
    /// storage key). Off only to measure its cost; copies staged encrypted are still read when it is off.
    /// </summary>
    public bool EncryptStaging { get; set; } = true;

    /// <summary>Most bytes staging may hold (0 = only the free-disk reserve applies).</summary>
    [Range(0, long.MaxValue, ErrorMessage = "Evidence:StagingQuotaBytes must not be negative.")]
    public long StagingQuotaBytes { get; set; }

    /// <summary>Free disk space staging always leaves on its volume.</summary>
    [Range(0, long.MaxValue, ErrorMessage = "Evidence:MinFreeDiskBytes must not be negative.")]
    public long MinFreeDiskBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Recordings copied/uploaded at once (across all bays, at most one per bay while others wait).</summary>
    [Range(1, 64, ErrorMessage = "Evidence:MaxConcurrentTransfers must be between 1 and 64.")]
    public int MaxConcurrentTransfers { get; set; } = 2;

    /// <summary>Read/write buffer for the camera-to-staging copy.</summary>
    [Range(64 * 1024, 64 * 1024 * 1024, ErrorMessage = "Evidence:CopyBufferBytes must be between 64 KiB and 64 MiB.")]
    public int CopyBufferBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Bytes per gRPC upload chunk (each carries its own CRC32C).</summary>
    [Range(16 * 1024, 3 * 1024 * 1024, ErrorMessage = "Evidence:ChunkBytes must be between 16 KiB and 3 MiB.")]
    public int ChunkBytes { get; set; } = 1024 * 1024;

    /// <summary>How often copy progress is made durable (fsync + offset); at most this much is re-copied after a crash.</summary>
    [Range(1024 * 1024, long.MaxValue, ErrorMessage = "Evidence:CheckpointBytes must be at least 1 MiB.")]
    public long CheckpointBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>Copy rate limit in bytes/s (0 = none); models a camera's USB link and keeps the dock responsive.</summary>
    [Range(0, long.MaxValue, ErrorMessage = "Evidence:CopyBytesPerSecond must not be negative.")]
    public long CopyBytesPerSecond { get; set; }

    /// <summary>Upload rate limit in bytes/s (0 = none).</summary>
    [Range(0, long.MaxValue, ErrorMessage = "Evidence:UploadBytesPerSecond must not be negative.")]
    public long UploadBytesPerSecond { get; set; }

    /// <summary>Delete or Keep recordings on the camera after a matching receipt.</summary>
    public CameraRetentionPolicy CameraPolicy { get; set; } = CameraRetentionPolicy.Delete;

    /// <summary>Retries of one upload call (Polly, exponential backoff) before the item waits for the next round.</summary>
    [Range(0, 100, ErrorMessage = "Evidence:UploadRetries must be between 0 and 100.")]
    public int UploadRetries { get; set; } = 5;

    /// <summary>
    /// How long to wait for the vault's receipt once the last chunk is sent. The vault hashes as chunks
    /// arrive, so the receipt is quick; a call that stays silent longer is abandoned and retried rather
    /// than holding the item (and its bay) forever. It is also the deadline of the vault's short calls (the
    /// received-offset query before each upload, the custody append after it), which can wait behind an earlier
    /// call of the same item that the vault has not yet seen end.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "Evidence:ReceiptTimeout must be between 1 second and 1 hour.")]
    public TimeSpan ReceiptTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>First retry delay; doubles per attempt.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00", ErrorMessage = "Evidence:RetryBaseDelay must be between 10 ms and 10 minutes.")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a failed item waits before it is tried again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00", ErrorMessage = "Evidence:FailedItemBackoff must be between 10 ms and 1 hour.")]
    public TimeSpan FailedItemBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often dock-status.json is rewritten (and a DockStatus sent if anything changed).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00", ErrorMessage = "Evidence:StatusInterval must be between 50 ms and 10 minutes.")]
    public TimeSpan StatusInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A DockStatus is sent at least this often even when nothing changed.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "Evidence:StatusReportInterval must be between 1 second and 1 hour.")]
    public TimeSpan StatusReportInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Sidecar categories that make a recording critical (offloaded first).</summary>
    public string[] CriticalCategories { get; set; } = ["critical", "use-of-force", "firearms", "arrest"];

    /// <summary>Sidecar triggers that make a recording critical.</summary>
    public string[] CriticalTriggers { get; set; } = ["emergency", "taser", "firearm-drawn"];
}
