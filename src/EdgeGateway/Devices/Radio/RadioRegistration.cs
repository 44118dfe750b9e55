using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Devices.Lte;
using EdgeGateway.Devices.Tetra;
using EdgeGateway.Hosting;
using EdgeGateway.Transport;
using EdgeGateway.Uplink.Mqtt;
using EdgeGateway.Uplink.Routing;
using EdgeGateway.Uplink.Tetra;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
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
            .ValidateAnnotations()
            .ValidateOnStart();
        services.AddOptions<RoutingOptions>()
            .BindConfiguration(RoutingOptions.SectionName)
            .ValidateAnnotations()
            .ValidateOnStart();
        services.AddOptions<LteOptions>()
            .BindConfiguration(LteOptions.SectionName)
            .ValidateAnnotations()
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
            DecorateSinkWithCopies(services);
        }

        return services;
    }

    /// <summary>
    /// Wraps the outbox's <see cref="IObservationSink"/> in <see cref="SdsCopySink"/>, which copies the classes routed
    /// <see cref="TetraRoute.Always"/> over TETRA while the IP link is up (Emergency: every bearer at once).
    /// </summary>
    private static void DecorateSinkWithCopies(IServiceCollection services)
    {
        var inner = services.LastOrDefault(d => d.ServiceType == typeof(IObservationSink))
            ?? throw new InvalidOperationException("AddRadio needs the outbox's IObservationSink: call AddOutbox first.");
        services.Remove(inner);
        services.AddSingleton<IObservationSink>(provider =>
        {
            var sink = inner.ImplementationInstance as IObservationSink
                ?? (inner.ImplementationFactory is { } factory
                    ? (IObservationSink)factory(provider)
                    : (IObservationSink)ActivatorUtilities.CreateInstance(provider, inner.ImplementationType!));
            var policy = new BearerRoutingPolicy(provider.GetRequiredService<IOptions<RoutingOptions>>().Value);
            if (!policy.CopiesAny)
            {
                return sink;
            }

            var link = provider.GetService<LinkStateMachine>();
            var lte = provider.GetService<ILteLink>();
            return new SdsCopySink(
                sink,
                new Lazy<ITetraSds>(provider.GetRequiredService<ITetraSds>), // the terminal depends on this sink itself
                policy,
                // The modem says the bearer is gone before MQTT's keep-alive notices.
                () => link is not null && link.Current != LinkState.Offline && lte?.Status.State != LteBearerState.Unavailable,
                provider.GetRequiredService<IOptions<TetraOptions>>().Value.DispatcherIssi,
                provider.GetRequiredService<TetraUplinkCounters>(),
                provider.GetRequiredService<ILoggerFactory>().CreateLogger<SdsCopySink>());
        });
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
