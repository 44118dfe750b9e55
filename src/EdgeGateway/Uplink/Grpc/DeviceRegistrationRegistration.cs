using EdgeGateway.Hosting;
using EdgeGateway.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeGateway.Uplink.Grpc;

/// <summary>Registers the start-up call to FleetControl's DeviceRegistry.</summary>
internal static class DeviceRegistrationRegistration
{
    public static IServiceCollection AddDeviceRegistration(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RegistrationOptions>()
            .BindConfiguration(RegistrationOptions.SectionName)
            .ValidateAnnotations()
            .ValidateOnStart();
        services.AddDeviceSecurity();
        services.AddSingleton<RegistrationState>();
        services.AddHostedService<DeviceRegistrationService>();
        return services;
    }
}
