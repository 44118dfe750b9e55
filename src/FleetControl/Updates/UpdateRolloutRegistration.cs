using FleetControl.Ingest;

namespace FleetControl.Updates;

/// <summary>Registers staged OTA update rollouts (stored with the command queue in <c>commands.db</c>).</summary>
internal static class UpdateRolloutRegistration
{
    public static IServiceCollection AddFleetUpdateRollouts(this IServiceCollection services)
    {
        services.AddSingleton<UpdateRolloutService>();
        services.AddHostedService(sp => sp.GetRequiredService<UpdateRolloutService>());
        services.AddSingleton<IIngestObserver, UpdateOutcomeObserver>();
        return services;
    }
}
