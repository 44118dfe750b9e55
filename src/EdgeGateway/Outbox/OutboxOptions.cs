using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using EdgeGateway.Hosting;

namespace EdgeGateway.Outbox;

/// <summary>The durable outbox (configuration section <c>Outbox</c>).</summary>
[UnconditionalSuppressMessage("Trimming", "IL2026", Justification = OptionsValidation.KeptWhole)]
internal sealed class OutboxOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Outbox";

    /// <summary>Database file name inside <c>Gateway:DataDirectory</c>.</summary>
    [Required]
    [RegularExpression(@"^[A-Za-z0-9_.-]{1,64}\.db$", ErrorMessage = "Outbox:FileName must be a plain file name ending in .db.")]
    public string FileName { get; set; } = "outbox.db";

    /// <summary>
    /// Encrypt message payloads at rest (AES-256-GCM, data key wrapped by the device's storage key; see
    /// <see cref="Storage.PayloadProtector"/>). On by default; plaintext messages already stored still drain.
    /// </summary>
    public bool EncryptPayloads { get; set; } = true;

    /// <summary>A leased message not acknowledged within this time is leased again.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true, ErrorMessage = "Outbox:LeaseTimeout must be between 1 s and 1 day.")]
    public TimeSpan LeaseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Telemetry stamped within this window is "live" and leased newest-first before the history.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true, ErrorMessage = "Outbox:LiveWindow must be between 0 and 1 day.")]
    public TimeSpan LiveWindow { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Drops are coalesced into one DataLossReport per class and reason per interval.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true, ErrorMessage = "Outbox:DataLossReportInterval must be between 1 s and 1 day.")]
    public TimeSpan DataLossReportInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often the maintenance loop sweeps expiry, watches the disk and checkpoints.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true, ErrorMessage = "Outbox:MaintenanceInterval must be between 50 ms and 10 min.")]
    public TimeSpan MaintenanceInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Compaction (LiteDB Rebuild) runs only after the outbox has been idle (no enqueue) this long.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true, ErrorMessage = "Outbox:CompactionIdleAfter must be between 1 s and 7 days.")]
    public TimeSpan CompactionIdleAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>At most one compaction per this interval.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true, ErrorMessage = "Outbox:CompactionMinInterval must be between 1 s and 30 days.")]
    public TimeSpan CompactionMinInterval { get; set; } = TimeSpan.FromHours(6);

    /// <summary>Compaction is considered only when the data file is at least this large.</summary>
    [Range(0L, long.MaxValue, ErrorMessage = "Outbox:CompactionMinFileBytes must not be negative.")]
    public long CompactionMinFileBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Free disk space to keep. Below it, Bulk and Telemetry are refused; below half of it Read and
    /// Event too; below a quarter only Emergency and Alert are still stored.
    /// </summary>
    [Range(0L, long.MaxValue, ErrorMessage = "Outbox:FreeDiskReserveBytes must not be negative.")]
    public long FreeDiskReserveBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>
    /// Size of the pre-allocated reserve file (<c>outbox.reserve</c> beside the store). When the disk is
    /// full it is deleted so Emergency and Alert messages can still be stored while every other class is
    /// refused; it is recreated (and every class admitted again) once twice its size is free. While the disk is
    /// full the outbox folds LiteDB's log into its data file whenever there is room, so its own commits do not
    /// use the reserve up. 0: no reserve.
    /// </summary>
    [Range(0L, 1024L * 1024 * 1024, ErrorMessage = "Outbox:UrgentReserveBytes must be between 0 and 1 GiB.")]
    public long UrgentReserveBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>
    /// LiteDB log pages (8 KiB each) before an automatic checkpoint folds the log into the data file. Capped at
    /// half of <see cref="UrgentReserveBytes"/>, so on a full disk the log can still be folded in from the reserve.
    /// </summary>
    [Range(100, 100_000, ErrorMessage = "Outbox:CheckpointPages must be between 100 and 100000.")]
    public int CheckpointPages { get; set; } = 1000;

    /// <summary>Telemetry messages examined per thinning step (every other one of them is dropped).</summary>
    [Range(2, 100_000, ErrorMessage = "Outbox:ThinningStretch must be between 2 and 100000.")]
    public int ThinningStretch { get; set; } = 512;

    /// <summary>
    /// Per-class settings keyed by class name (Emergency, Alert, Event, Read, Telemetry, Bulk);
    /// anything not set falls back to <see cref="OutboxClassDefaults"/>.
    /// </summary>
    public Dictionary<string, OutboxClassOptions> Classes { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
