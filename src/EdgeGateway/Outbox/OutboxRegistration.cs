using EdgeGateway.Core;
using EdgeGateway.Hosting;
using EdgeGateway.Outbox.Housekeeping;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Outbox;

/// <summary>Registers the durable outbox and the <see cref="Core.IObservationSink"/> in front of it.</summary>
internal static class OutboxRegistration
{
    public static IServiceCollection AddOutbox(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<OutboxOptions>()
            .BindConfiguration(OutboxOptions.SectionName)
            .ValidateAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<OutboxOptions>, OutboxOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<MonotonicMessageIdGenerator>();
        services.TryAddSingleton<Time.IClockStatus, Time.KernelClockStatus>();
        services.TryAddSingleton<Security.IDataKeyWrapper>(sp => new Security.FileDataKeyWrapper(Security.GatewayIdentity.DirectoryFor(
            sp.GetRequiredService<IOptions<Security.SecurityOptions>>().Value, sp.GetRequiredService<IOptions<Hosting.GatewayOptions>>().Value)));
        services.AddSingleton(sp => Storage.PayloadProtector.For(
            sp.GetRequiredService<IOptions<OutboxOptions>>().Value, sp.GetRequiredService<IOptions<Hosting.GatewayOptions>>().Value, sp.GetRequiredService<Security.IDataKeyWrapper>()));
        services.AddSingleton<LiteDbOutbox>();
        services.AddSingleton<IOutbox>(sp => sp.GetRequiredService<LiteDbOutbox>());
        services.AddSingleton<IOutboxStampState>(sp => sp.GetRequiredService<LiteDbOutbox>());
        services.AddSingleton<IObservationSink, ObservationSink>();
        services.AddSingleton<IHealthContributor, OutboxHealthContributor>();
        services.AddHostedService<OutboxMaintenanceService>();
        return services;
    }
}
