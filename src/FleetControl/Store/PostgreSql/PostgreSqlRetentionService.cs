using Microsoft.Extensions.Options;

namespace FleetControl.Store.PostgreSql;

/// <summary>
/// Drops envelope and position partitions older than <see cref="StoreOptions.Retention"/>, once at
/// start-up and then hourly. Every instance runs it; dropping is idempotent.
/// </summary>
internal sealed class PostgreSqlRetentionService(
    PostgreSqlFleetStore store,
    IOptions<StoreOptions> options,
    TimeProvider time,
    ILogger<PostgreSqlRetentionService> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.Retention is not { } retention)
        {
            return;
        }

        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                var dropped = await store.DropPartitionsBeforeAsync(time.GetUtcNow() - retention, stoppingToken);
                if (dropped.Count > 0)
                {
                    Log.PartitionsDropped(logger, dropped.Count, string.Join(", ", dropped));
                }
            }
            catch (Npgsql.NpgsqlException e)
            {
                Log.RetentionFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
