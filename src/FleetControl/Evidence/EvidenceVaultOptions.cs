using System.ComponentModel.DataAnnotations;

namespace FleetControl.Evidence;

/// <summary>Evidence vault settings (configuration section <c>Evidence</c>).</summary>
public sealed class EvidenceVaultOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Evidence";

    /// <summary>Where recordings, partial uploads, receipts and custody chains are kept.</summary>
    [Required(ErrorMessage = "Evidence:VaultDirectory is required.")]
    public string VaultDirectory { get; set; } = "vault";

    /// <summary>How often a partial upload is made durable (fsync + offset); at most this much is re-sent after a crash.</summary>
    [Range(1024 * 1024, long.MaxValue, ErrorMessage = "Evidence:CheckpointBytes must be at least 1 MiB.")]
    public long CheckpointBytes { get; set; } = 32L * 1024 * 1024;
}
