using EdgeGateway.Core;
using EdgeGateway.Health;
using EdgeGateway.Hosting;
using EdgeGateway.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace EdgeGateway.Uplink.Mqtt;

/// <summary>Registers the MQTT uplink that drains the outbox to FleetControl, and the health reporter.</summary>
internal static class MqttUplinkRegistration
{
    public static IServiceCollection AddMqttUplink(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MqttUplinkOptions>()
            .BindConfiguration(MqttUplinkOptions.SectionName)
            .ValidateAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddDeviceSecurity();
        services.TryAddSingleton<LinkStateMachine>();
        services.TryAddSingleton<UplinkCounters>();
        services.TryAddSingleton<MqttUplinkService>();
        services.AddHostedService(provider => provider.GetRequiredService<MqttUplinkService>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHealthContributor, UplinkHealthContributor>());

        // The periodic health report carries the link state; it lives with the uplink's registration.
        return services;
    }
}
