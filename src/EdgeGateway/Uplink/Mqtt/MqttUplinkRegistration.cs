using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeGateway.Uplink.Mqtt;

/// <summary>Registers the MQTT uplink that drains the outbox to FleetControl.</summary>
internal static class MqttUplinkRegistration
{
    public static IServiceCollection AddMqttUplink(this IServiceCollection services, IConfiguration configuration)
    {
        // TODO(uplink)
        return services;
    }
}
