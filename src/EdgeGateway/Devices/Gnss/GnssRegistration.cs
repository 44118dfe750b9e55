using EdgeGateway.Core;
using EdgeGateway.Hosting;
using EdgeGateway.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Devices.Gnss;

/// <summary>Registers the GNSS receiver adapter (vehicle role).</summary>
internal static class GnssRegistration
{
    public static IServiceCollection AddGnss(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<GnssOptions>()
            .BindConfiguration(GnssOptions.SectionName)
            .ValidateAnnotations()
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<GnssCounters>();
        services.TryAddSingleton<GnssTrack>();
        services.AddSingleton<IHealthContributor, GnssHealthContributor>();
        services.TryAddKeyedSingleton<IByteSourceConnector>(GnssAdapter.ConnectorKey, static (provider, _) =>
        {
            var options = provider.GetRequiredService<IOptions<GnssOptions>>().Value;
            return options.Transport == GnssTransportKind.Tcp
                ? new TcpByteSourceConnector(options.Tcp)
                : new SerialByteSourceConnector(options.Serial);
        });
        services.AddHostedService<GnssAdapter>();
        return services;
    }
}
