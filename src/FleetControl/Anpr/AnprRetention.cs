using FleetControl.Auth;
using Microsoft.Extensions.Options;

namespace FleetControl.Anpr;

/// <summary>
/// Deletes reads, images and hits older than <see cref="AnprServerOptions.RetentionPeriod"/> every
/// <see cref="AnprServerOptions.PurgeInterval"/>. Each purge that deletes anything is logged and written to the audit
/// log (action <c>anpr.purged</c>, by <c>system</c>), so a read's absence can always be explained.
/// </summary>
internal sealed class AnprRetention(AnprStore store, AuditLog audit, IOptions<AnprServerOptions> options, TimeProvider time, ILogger<AnprRetention> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = options.Value.PurgeInterval;
        using var timer = new PeriodicTimer(period, time);
        do
        {
            await PurgeAsync(stoppingToken).ConfigureAwait(false);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>One purge; returns what it deleted.</summary>
    internal async Task<(int Reads, int Images, int Hits)> PurgeAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - options.Value.RetentionPeriod;
        var purged = store.Purge(cutoff);
        if (purged.Reads + purged.Images + purged.Hits > 0)
        {
            Log.Purged(logger, purged.Reads, purged.Images, purged.Hits, cutoff);
            await audit.AppendAsync(new AuditEvent("system", "anpr.purged", $"before {cutoff:o}", "ok", "local",
                $"{purged.Reads} reads, {purged.Images} images, {purged.Hits} hits; retention {options.Value.RetentionPeriod}"), cancellationToken).ConfigureAwait(false);
        }

        return purged;
    }
}
