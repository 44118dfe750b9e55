using EdgeGateway.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Security;

/// <summary>Registers the device key store, the wrapper of data keys at rest, the identity every link uses, and enrolment/renewal. Idempotent.</summary>
internal static class SecurityRegistration
{
    public static IServiceCollection AddDeviceSecurity(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(GatewayIdentity)))
        {
            return services;
        }

        services.AddOptions<SecurityOptions>()
            .BindConfiguration(SecurityOptions.SectionName)
            .ValidateAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<SecurityOptions>, SecurityOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IDeviceKeyStore>(sp => new FileDeviceKeyStore(GatewayIdentity.DirectoryFor(
            sp.GetRequiredService<IOptions<SecurityOptions>>().Value, sp.GetRequiredService<IOptions<GatewayOptions>>().Value)));
        services.TryAddSingleton<IDataKeyWrapper>(sp => new FileDataKeyWrapper(GatewayIdentity.DirectoryFor(
            sp.GetRequiredService<IOptions<SecurityOptions>>().Value, sp.GetRequiredService<IOptions<GatewayOptions>>().Value)));
        services.AddSingleton<GatewayIdentity>();
        services.AddHostedService<DeviceEnrolmentService>();
        return services;
    }
}
