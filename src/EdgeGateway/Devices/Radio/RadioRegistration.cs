using EdgeGateway.Core;
using EdgeGateway.Devices.Lte;
using EdgeGateway.Devices.Tetra;
using EdgeGateway.Transport;
using EdgeGateway.Uplink.Mqtt;
using EdgeGateway.Uplink.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Devices.Radio;

/// <summary>
/// Registers the radio modems and bearer-aware routing (one line in the host, after the outbox and the
/// MQTT uplink): the LTE modem's health when <c>Lte:Enabled</c>, the TETRA terminal on its PEI line when <c>Tetra:Enabled</c>, and, when
/// <c>Tetra:DispatcherIssi</c> is set, the fan-out that also sends the classes <c>Routing:Tetra</c> allows
/// as SDS. <see cref="IRadioEmergencySource"/> is always registered (it never fires without a terminal).
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
            DecorateSink(services);
        }

        return services;
    }

    /// <summary>Wraps the registered <see cref="IObservationSink"/> in <see cref="SdsFanOutSink"/>.</summary>
    private static void DecorateSink(IServiceCollection services)
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
            // Resolved on first use: the adapter and the uplink depend on this sink themselves.
            var uplink = new Lazy<MqttUplinkService?>(provider.GetService<MqttUplinkService>);
            var link = provider.GetService<LinkStateMachine>();
            var lte = provider.GetService<ILteLink>();
            return new SdsFanOutSink(
                sink,
                new Lazy<ITetraSds>(provider.GetRequiredService<ITetraSds>),
                new BearerRoutingPolicy(provider.GetRequiredService<IOptions<RoutingOptions>>().Value),
                // The modem says the bearer is gone before MQTT's keep-alive notices.
                () => link is not null && link.Current != Contracts.V1.LinkState.Offline && lte?.Status.State != LteBearerState.Unavailable,
                ids => uplink.Value?.Drain.Acknowledge(ids),
                provider.GetRequiredService<IOptions<TetraOptions>>().Value.DispatcherIssi,
                provider.GetRequiredService<ILoggerFactory>().CreateLogger<SdsFanOutSink>());
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
