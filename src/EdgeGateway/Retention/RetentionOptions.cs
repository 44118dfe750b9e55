using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using EdgeGateway.Hosting;

namespace EdgeGateway.Retention;

/// <summary>
/// The retained history (configuration section <c>Retention</c>): a bounded copy of messages FleetControl
/// has confirmed storing, kept so that a resend-range command can send a time range again.
/// </summary>
[UnconditionalSuppressMessage("Trimming", "IL2026", Justification = OptionsValidation.KeptWhole)]
internal sealed class RetentionOptions
{
    public const string SectionName = "Retention";

    /// <summary>False: nothing is retained and resend-range finds nothing to send.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>File inside <c>Gateway:DataDirectory</c>.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Retention:FileName is required.")]
    public string FileName { get; set; } = "retained.db";

    /// <summary>How long a delivered message is kept (by its captured-at time), unless its class says otherwise.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "90.00:00:00", ErrorMessage = "Retention:MaxAge must be 0 to 90 days.")]
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Per class (Emergency .. Bulk) maximum age; 0 keeps nothing of that class.</summary>
    public Dictionary<string, TimeSpan> Classes { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Largest total of retained envelope bytes; the oldest go first beyond it.</summary>
    [Range(1024 * 1024, long.MaxValue, ErrorMessage = "Retention:MaxBytes must be at least 1048576.")]
    public long MaxBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Below this much free disk nothing more is retained: the outbox needs the space more.</summary>
    [Range(0, long.MaxValue, ErrorMessage = "Retention:MinFreeDiskBytes must not be negative.")]
    public long MinFreeDiskBytes { get; set; } = 1024L * 1024 * 1024;
}
