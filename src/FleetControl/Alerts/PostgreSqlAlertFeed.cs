using Npgsql;

namespace FleetControl.Alerts;

/// <summary>
/// With several instances on one database: listens for the alert changes other instances announce
/// (<c>LISTEN fc_alerts</c>) and hands each, read back from the shared store, to this instance's live
/// subscribers, so a console on any instance shows every alert as it happens. A lost connection is retried
/// every few seconds; changes announced meanwhile are not replayed live, but every list reads the store.
/// </summary>
internal sealed class PostgreSqlAlertFeed(IServiceProvider services, AlertStore store, AlertService alerts, ILogger<PostgreSqlAlertFeed> logger) : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(5);

    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once this instance listens (a test waits for it before another instance raises).</summary>
    internal Task Listening => _listening.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (store is not PostgreSqlAlertStore shared)
        {
            return; // one instance: every change is its own
        }

        var own = shared.InstanceId;
        var dataSource = services.GetRequiredService<NpgsqlDataSource>();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken).ConfigureAwait(false);
                connection.Notification += (_, e) =>
                {
                    var separator = e.Payload.IndexOf('|', StringComparison.Ordinal);
                    if (separator > 0 && e.Payload[..separator] != own && store.Get(e.Payload[(separator + 1)..]) is { } alert)
                    {
                        alerts.PublishChange(alert);
                    }
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {PostgreSqlAlertStore.Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken).ConfigureAwait(false);
                }

                _listening.TrySetResult();

                while (true)
                {
                    await connection.WaitAsync(stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or IOException)
            {
                Log.FeedInterrupted(logger, ex.Message, RetryDelay);
                await Task.Delay(RetryDelay, stoppingToken).ConfigureAwait(false);
            }
        }
    }
}
