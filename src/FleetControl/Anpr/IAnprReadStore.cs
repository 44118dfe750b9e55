using EdgeGateway.Contracts.V1;

namespace FleetControl.Anpr;

/// <summary>
/// Where ANPR reads, their images and hotlist hits are kept: <see cref="LiteDbAnprReadStore"/> (<c>anpr.db</c> in the
/// instance's data directory, the embedded default) or <see cref="PostgreSql.PostgreSqlAnprReadStore"/> (the shared
/// database and vault, with <c>Store:Provider=PostgreSql</c>). Every write is idempotent by read id, image and message
/// id, and durable when the call returns (the ingest acknowledges after it).
/// </summary>
internal interface IAnprReadStore
{
    /// <summary>Stores reads, images and hits of one ingest commit. Returns the images whose hash did not match (kept, flagged).</summary>
    Task<IReadOnlyList<AnprImageMismatch>> StoreAsync(IReadOnlyList<Envelope> envelopes, CancellationToken cancellationToken);

    /// <summary>Reads matching <paramref name="query"/>, newest camera time first, at most <see cref="AnprReadQuery.Limit"/>.</summary>
    Task<IReadOnlyList<AnprReadRecord>> SearchAsync(AnprReadQuery query, CancellationToken cancellationToken);

    /// <summary>The hits, newest camera time first.</summary>
    Task<IReadOnlyList<AnprHitRecord>> RecentHitsAsync(int limit, CancellationToken cancellationToken);

    /// <summary>The file of a read's image (<c>plate</c> or <c>overview</c>), or null when none is held.</summary>
    Task<string?> ImagePathAsync(string readId, string kind, CancellationToken cancellationToken);

    /// <summary>
    /// Removes reads, images and hits captured before <paramref name="cutoff"/>, with their image files. LiteDB deletes
    /// exactly those rows; PostgreSQL drops the daily partitions that end at or before the cut-off, so up to one day
    /// more than the cut-off may stay until the next purge.
    /// </summary>
    Task<AnprPurgeResult> PurgeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);
}
