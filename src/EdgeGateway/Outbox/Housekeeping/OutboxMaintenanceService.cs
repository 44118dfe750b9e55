using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Outbox.Housekeeping;

/// <summary>Opens the outbox at start-up (so a corrupt store is quarantined at once) and runs its housekeeping.</summary>
internal sealed class OutboxMaintenanceService : BackgroundService
{
    private readonly LiteDbOutbox _outbox;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _interval;
    private readonly ILogger<OutboxMaintenanceService> _logger;

    public OutboxMaintenanceService(LiteDbOutbox outbox, TimeProvider timeProvider, IOptions<OutboxOptions> options, ILogger<OutboxMaintenanceService> logger)
    {
        _outbox = outbox;
        _timeProvider = timeProvider;
        _interval = options.Value.MaintenanceInterval;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_interval, _timeProvider);
        do
        {
            try
            {
                _outbox.RunMaintenance();
            }
            catch (ObjectDisposedException) when (stoppingToken.IsCancellationRequested)
            {
                return; // the host is stopping and has disposed the outbox
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The outbox recovers from store failures itself (reopen, disk-full mode); stopping
                // the host here would turn a full disk into a crash loop under systemd.
                Log.MaintenanceFailed(_logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
