using System.Net;
using EdgeGateway.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeGateway.Health.Metrics;

/// <summary>Registers the opt-in Prometheus endpoint (<see cref="MetricsEndpoint"/>).</summary>
internal static class MetricsRegistration
{
    public static IServiceCollection AddGatewayMetrics(this IServiceCollection services)
    {
        services.AddOptions<MetricsOptions>()
            .BindConfiguration(MetricsOptions.SectionName)
            .ValidateAnnotations()
            .Validate(o => IPAddress.TryParse(o.Address, out _), "Metrics:Address must be an IP address (e.g. 127.0.0.1).")
            .ValidateOnStart();
        services.AddSingleton<MetricsListener>();
        services.AddSingleton<IStartupCheck>(sp => sp.GetRequiredService<MetricsListener>());
        services.AddHostedService<MetricsEndpoint>();
        return services;
    }
}
