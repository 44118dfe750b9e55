using FleetControl.Hosting;
using FleetControl.Store;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FleetControl.Alerts;

/// <summary>Registers the alert store (<c>alerts.db</c>, or the shared PostgreSQL database under <c>Store:Provider=PostgreSql</c>), the rules and the evaluator.</summary>
internal static class AlertRegistration
{
    public static IServiceCollection AddFleetAlerts(this IServiceCollection services)
    {
        services.AddOptions<AlertOptions>()
            .BindConfiguration(AlertOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<AlertStore>(sp =>
        {
            if (sp.GetRequiredService<IOptions<StoreOptions>>().Value.Provider == StoreProvider.PostgreSql)
            {
                return new PostgreSqlAlertStore(sp.GetRequiredService<NpgsqlDataSource>());
            }

            var directory = Path.GetFullPath(sp.GetRequiredService<IOptions<FleetControlOptions>>().Value.DataDirectory);
            Directory.CreateDirectory(directory);
            return new LiteDbAlertStore(Path.Combine(directory, AlertStore.FileName));
        });
        services.AddSingleton<AlertService>();
        services.AddSingleton<PostgreSqlAlertFeed>();
        services.AddHostedService(sp => sp.GetRequiredService<PostgreSqlAlertFeed>()); // idle unless the alert store is the shared database
        services.AddSingleton<ClockOffsetTracker>();
        services.AddSingleton<AlertIngestObserver>();
        services.AddSingleton<Store.IUrgentFoldObserver>(sp => sp.GetRequiredService<AlertIngestObserver>()); // journaled urgent batches
        services.AddSingleton<AlertEvaluator>();
        services.AddHostedService(sp => sp.GetRequiredService<AlertEvaluator>());
        return services;
    }
}
