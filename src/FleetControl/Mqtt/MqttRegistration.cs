using FleetControl.Ingest;

namespace FleetControl.Mqtt;

/// <summary>Registers the broker (embedded unless <c>Mqtt:Mode</c> is External) and the MQTT ingest path.</summary>
internal static class MqttRegistration
{
    public static IServiceCollection AddFleetMqtt(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MqttOptions>()
            .BindConfiguration(MqttOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IngestClientIdentity>();
        services.AddSingleton<IngestStats>();
        services.AddSingleton<IngestQueue>();

        // Order matters: hosted services start in registration order and stop in reverse.
        var mode = configuration.GetSection(MqttOptions.SectionName).GetValue<MqttMode?>(nameof(MqttOptions.Mode)) ?? MqttMode.Embedded;
        if (mode == MqttMode.Embedded)
        {
            services.AddSingleton<EmbeddedBroker>();
            services.AddHostedService(sp => sp.GetRequiredService<EmbeddedBroker>());
        }

        services.AddSingleton<MqttIngestClient>();
        services.AddSingleton<IAckPublisher>(sp => sp.GetRequiredService<MqttIngestClient>());
        services.AddSingleton<Commands.ICommandPublisher>(sp => sp.GetRequiredService<MqttIngestClient>());
        services.AddHostedService<IngestWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<MqttIngestClient>());
        return services;
    }
}
