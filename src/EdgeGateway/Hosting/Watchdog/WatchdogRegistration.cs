using EdgeGateway.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeGateway.Hosting.Watchdog;

/// <summary>Registers the systemd watchdog (<see cref="SystemdWatchdog"/>).</summary>
internal static class WatchdogRegistration
{
    public static IServiceCollection AddSystemdWatchdog(this IServiceCollection services)
    {
        services.AddOptions<WatchdogOptions>()
            .BindConfiguration(WatchdogOptions.SectionName)
            .ValidateAnnotations()
            .ValidateOnStart();
        services.AddHostedService<SystemdWatchdog>();
        return services;
    }
}
