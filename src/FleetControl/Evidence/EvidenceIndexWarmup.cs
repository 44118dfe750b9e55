namespace FleetControl.Evidence;

/// <summary>
/// Builds the evidence index in the background at start-up, so the first search or commit after a
/// restart does not wait for the receipts to be read (about 7 s per 100,000 items on 2 cores).
/// </summary>
internal sealed class EvidenceIndexWarmup(IEvidenceCatalog catalog, TimeProvider time, ILogger<EvidenceIndexWarmup> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Run(
        () =>
        {
            var started = time.GetTimestamp();
            var count = 0;
            string? cursor = null;
            do
            {
                // Walks the index once (building it on first use); paging keeps each step small.
                var page = catalog.Search(new EvidenceQuery(Cursor: cursor, Limit: EvidenceQuery.MaxLimit));
                count += page.Items.Count;
                cursor = page.NextCursor;
            }
            while (cursor is not null && !stoppingToken.IsCancellationRequested);

            Log.IndexReady(logger, count, time.GetElapsedTime(started).TotalSeconds);
        },
        stoppingToken);
}
