using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeGateway.Devices.Gnss;

/// <summary>Registers the GNSS receiver adapter (vehicle role).</summary>
internal static class GnssRegistration
{
    public static IServiceCollection AddGnss(this IServiceCollection services, IConfiguration configuration)
    {
        // TODO(gnss): adapter, options, transport.
        return services;
    }
}
