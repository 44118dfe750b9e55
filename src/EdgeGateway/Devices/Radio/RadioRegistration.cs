using EdgeGateway.Core;
using EdgeGateway.Devices.Lte;
using EdgeGateway.Devices.Tetra;
using EdgeGateway.Transport;
using EdgeGateway.Uplink.Routing;
using EdgeGateway.Uplink.Tetra;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Devices.Radio;

/// <summary>
/// Registers the radio modems and bearer-aware routing (one line in the host, after the outbox and the
/// MQTT uplink): the LTE modem's health when <c>Lte:Enabled</c>, the TETRA terminal on its PEI line when <c>Tetra:Enabled</c>, and, when
/// <c>Tetra:DispatcherIssi</c> is set, TETRA as the drain's fallback bearer for the classes <c>Routing:Tetra</c>
/// allows while LTE is down. <see cref="IRadioEmergencySource"/> is always registered (it never fires without a terminal).
/// </summary>
internal static class RadioRegistration
{
    public static IServiceCollection AddRadio(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TetraOptions>()
            .BindConfiguration(TetraOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<RoutingOptions>()
            .BindConfiguration(RoutingOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<LteOptions>()
            .BindConfiguration(LteOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);

        if (configuration.GetSection(LteOptions.SectionName).GetValue<bool>(nameof(LteOptions.Enabled)))
        {
            services.TryAddSingleton<LteCounters>();
            services.TryAddKeyedSingleton<IByteSourceConnector>(LteAdapter.ConnectorKey, static (provider, _) =>
                new SerialByteSourceConnector(provider.GetRequiredService<IOptions<LteOptions>>().Value.Serial));
            services.TryAddSingleton<LteAdapter>();
            services.AddHostedService(provider => provider.GetRequiredService<LteAdapter>());
            services.TryAddSingleton<ILteLink>(provider => provider.GetRequiredService<LteAdapter>());
            services.AddSingleton<IHealthContributor, LteHealthContributor>();
        }

        var tetra = configuration.GetSection(TetraOptions.SectionName);
        if (!tetra.GetValue<bool>(nameof(TetraOptions.Enabled)))
        {
            services.TryAddSingleton<IRadioEmergencySource, SilentRadio>();
            return services;
        }

        services.TryAddSingleton<TetraCounters>();
        services.TryAddKeyedSingleton<IByteSourceConnector>(TetraAdapter.ConnectorKey, static (provider, _) =>
            new SerialByteSourceConnector(provider.GetRequiredService<IOptions<TetraOptions>>().Value.Serial));
        services.TryAddSingleton<TetraAdapter>();
        services.AddHostedService(provider => provider.GetRequiredService<TetraAdapter>());
        services.TryAddSingleton<ITetraSds>(provider => provider.GetRequiredService<TetraAdapter>());
        services.TryAddSingleton<IRadioEmergencySource>(provider => provider.GetRequiredService<TetraAdapter>());
        services.AddSingleton<IHealthContributor, TetraHealthContributor>();

        if (!string.IsNullOrEmpty(tetra[nameof(TetraOptions.DispatcherIssi)]))
        {
            // TETRA as the drain's fallback bearer while LTE is down (needs the MQTT uplink's drain).
            services.TryAddSingleton<TetraUplinkCounters>();
            services.AddHostedService<TetraUplinkService>();
            services.AddSingleton<IHealthContributor, TetraUplinkHealthContributor>();
        }

        return services;
    }

    /// <summary>No terminal fitted: no emergency ever comes from the radio.</summary>
    private sealed class SilentRadio : IRadioEmergencySource
    {
        public event Action<RadioEmergency>? EmergencyRaised
        {
            add { }
            remove { }
        }
    }
}
