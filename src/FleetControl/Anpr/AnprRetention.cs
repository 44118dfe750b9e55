using FleetControl.Auth;
using Microsoft.Extensions.Options;

namespace FleetControl.Anpr;

/// <summary>
/// Removes reads, images and hits older than <see cref="AnprServerOptions.RetentionPeriod"/> every
/// <see cref="AnprServerOptions.PurgeInterval"/>. Each purge that deletes anything is logged and written to the audit
/// log (action <c>anpr.purged</c>, by <c>system</c>), so a read's absence can always be explained. On PostgreSQL a
/// purge drops whole daily partitions (see <see cref="IAnprReadStore.PurgeAsync"/>) and the audit entry counts what they
/// held; every instance runs it, and only the one that drops a partition counts it.
/// </summary>
internal sealed class AnprRetention(IAnprReadStore store, AuditLog audit, IOptions<AnprServerOptions> options, TimeProvider time, ILogger<AnprRetention> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = options.Value.PurgeInterval;
        using var timer = new PeriodicTimer(period, time);
        do
        {
            try
            {
                await PurgeAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (System.Data.Common.DbException e)
            {
                Log.PurgeFailed(logger, e); // the shared database is unreachable: the next tick tries again
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>One purge; returns what it deleted.</summary>
    internal async Task<AnprPurgeResult> PurgeAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - options.Value.RetentionPeriod;
        var purged = await store.PurgeAsync(cutoff, cancellationToken).ConfigureAwait(false);
        if (purged.Total > 0)
        {
            Log.Purged(logger, purged.Reads, purged.Images, purged.Hits, cutoff);
            await audit.AppendAsync(new AuditEvent("system", "anpr.purged", $"before {cutoff:o}", "ok", "local",
                $"{purged.Reads} reads, {purged.Images} images, {purged.Hits} hits; retention {options.Value.RetentionPeriod}"), cancellationToken).ConfigureAwait(false);
        }

        return purged;
    }
}
