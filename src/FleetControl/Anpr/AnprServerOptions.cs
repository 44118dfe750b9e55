using System.ComponentModel.DataAnnotations;

namespace FleetControl.Anpr;

/// <summary>ANPR reads and hotlists at FleetControl (configuration section <c>Anpr</c>).</summary>
public sealed class AnprServerOptions : IValidatableObject
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Anpr";

    /// <summary>Reads (and their images and hits) captured longer ago than this are purged; each purge is logged and audited.</summary>
    public TimeSpan RetentionPeriod { get; set; } = TimeSpan.FromDays(365);

    /// <summary>How often the retention purge runs.</summary>
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Entries per part of a hotlist snapshot (each part is one command to the vehicle).</summary>
    [Range(100, 1_000_000)]
    public int SnapshotPartEntries { get; set; } = 50_000;

    /// <summary>How long a hotlist update waits for an offline vehicle before it is re-issued.</summary>
    public TimeSpan UpdateTimeToLive { get; set; } = TimeSpan.FromDays(1);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RetentionPeriod <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Anpr:RetentionPeriod must be positive.", [nameof(RetentionPeriod)]);
        }

        if (PurgeInterval <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Anpr:PurgeInterval must be positive.", [nameof(PurgeInterval)]);
        }

        if (UpdateTimeToLive <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Anpr:UpdateTimeToLive must be positive.", [nameof(UpdateTimeToLive)]);
        }
    }
}
