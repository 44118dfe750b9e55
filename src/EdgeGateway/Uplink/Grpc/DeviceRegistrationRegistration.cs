using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeGateway.Uplink.Grpc;

/// <summary>Registers the start-up call to FleetControl's DeviceRegistry.</summary>
internal static class DeviceRegistrationRegistration
{
    public static IServiceCollection AddDeviceRegistration(this IServiceCollection services, IConfiguration configuration)
    {
        // TODO(registration)
        return services;
    }
}
