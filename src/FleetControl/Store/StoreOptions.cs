using System.ComponentModel.DataAnnotations;

namespace FleetControl.Store;

/// <summary>Where FleetControl keeps devices, envelopes and positions (configuration section <c>Store</c>).</summary>
internal sealed class StoreOptions : IValidatableObject
{
    public const string SectionName = "Store";

    /// <summary>LiteDb (default, embedded) or PostgreSql (shared by several instances).</summary>
    public StoreProvider Provider { get; set; } = StoreProvider.LiteDb;

    /// <summary>Npgsql connection string, required with <see cref="StoreProvider.PostgreSql"/>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// PostgreSQL only: how long envelopes and positions are kept. Older daily partitions are dropped
    /// whole (no row deletes, no vacuum debt). Null keeps everything.
    /// </summary>
    public TimeSpan? Retention { get; set; }

    /// <summary>PostgreSQL only: how many connections one instance may hold (Npgsql pool maximum).</summary>
    [Range(2, 1000, ErrorMessage = "Store:MaxPoolSize must be 2-1000.")]
    public int MaxPoolSize { get; set; } = 20;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Provider == StoreProvider.PostgreSql && string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return new ValidationResult(
                "Store:ConnectionString is required when Store:Provider is PostgreSql.", [nameof(ConnectionString)]);
        }

        if (Retention is { } r && r < TimeSpan.FromDays(1))
        {
            yield return new ValidationResult(
                $"Store:Retention must be at least 1.00:00:00 (one daily partition); was {r}.", [nameof(Retention)]);
        }
    }
}
