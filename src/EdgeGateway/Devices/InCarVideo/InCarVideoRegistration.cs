using EdgeGateway.Core;
using EdgeGateway.Devices.InCarVideo.Recording;
using EdgeGateway.Devices.InCarVideo.Simulation;
using EdgeGateway.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Devices.InCarVideo;

/// <summary>Registers in-car video triggers (vehicle role).</summary>
internal static class InCarVideoRegistration
{
    /// <summary>
    /// The trigger seam (<see cref="ITriggerPublisher"/>, events on stream <see cref="TriggerEventWriter.Stream"/>) is
    /// always there, so other adapters (ANPR, radio) can publish; the input harness (GPIO, I2C, Iot.Device.Bindings)
    /// runs only with <c>InCarVideo:Enabled</c>, so a vehicle without one loads none of it.
    /// </summary>
    public static IServiceCollection AddInCarVideo(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<InCarVideoOptions>()
            .BindConfiguration(InCarVideoOptions.SectionName)
            .ValidateAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<InCarVideoCounters>();
        services.AddSingleton<IHealthContributor>(sp => sp.GetRequiredService<InCarVideoCounters>());
        services.TryAddSingleton<TriggerBus>();
        services.TryAddSingleton<ITriggerPublisher>(sp => sp.GetRequiredService<TriggerBus>());
        services.AddHostedService<TriggerEventWriter>();
        services.AddHostedService<AdapterTriggerBridge>();
        services.AddSingleton<Commands.ICommandHandler, StartRecordingHandler>();
        services.AddVideoRecording(configuration);

        var section = configuration.GetSection(InCarVideoOptions.SectionName);
        if (!section.GetValue<bool>(nameof(InCarVideoOptions.Enabled)))
        {
            return services;
        }

        if (section.GetValue<TriggerHardwareKind>(nameof(InCarVideoOptions.Hardware)) == TriggerHardwareKind.Simulated)
        {
            services.TryAddSingleton<SimulatedVehicleHardware>();
            services.TryAddSingleton<IVehicleHardware>(sp => sp.GetRequiredService<SimulatedVehicleHardware>());
            services.AddHostedService<ScenarioPlayer>();
        }
        else
        {
            services.TryAddSingleton<IVehicleHardware, LinuxVehicleHardware>();
        }

        services.AddHostedService<DiscreteInputMonitor>();
        services.AddHostedService<SensorMonitor>();
        return services;
    }
}
