using EdgeGateway.Uplink.Mqtt;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Hosting.MemoryTrim;

/// <summary>Registers <see cref="MemoryTrimmer"/>: a compacting collection after start-up and after bursts.</summary>
internal static class MemoryTrimRegistration
{
    public static IServiceCollection AddMemoryTrim(this IServiceCollection services)
    {
        services.AddOptions<MemoryTrimOptions>()
            .BindConfiguration(GatewayOptions.SectionName)
            .ValidateAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new MemoryTrimmer(
            sp.GetRequiredService<IHostApplicationLifetime>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<MemoryTrimOptions>>(),
            sp.GetRequiredService<ILogger<MemoryTrimmer>>(),
            sp.GetService<MqttUplinkService>()?.Drain,
            sp.GetService<LinkStateMachine>()));
        services.AddHostedService(sp => sp.GetRequiredService<MemoryTrimmer>());
        return services;
    }
}
