using FleetControl.Hosting;
using Microsoft.Extensions.Options;

namespace FleetControl.Alerts;

/// <summary>Registers the alert store (<c>alerts.db</c>), the rules and the evaluator.</summary>
internal static class AlertRegistration
{
    public static IServiceCollection AddFleetAlerts(this IServiceCollection services)
    {
        services.AddOptions<AlertOptions>()
            .BindConfiguration(AlertOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton(sp =>
        {
            var directory = Path.GetFullPath(sp.GetRequiredService<IOptions<FleetControlOptions>>().Value.DataDirectory);
            Directory.CreateDirectory(directory);
            return new AlertStore(Path.Combine(directory, AlertStore.FileName));
        });
        services.AddSingleton<AlertService>();
        services.AddSingleton<ClockOffsetTracker>();
        services.AddSingleton<AlertIngestObserver>();
        services.AddSingleton<AlertEvaluator>();
        services.AddHostedService(sp => sp.GetRequiredService<AlertEvaluator>());
        return services;
    }
}
