using EdgeGateway.Hosting;
using EdgeGateway.Outbox;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Retention;

/// <summary>
/// Registers the retained history and puts <see cref="RetainingOutbox"/> in front of the outbox for every
/// later <see cref="IOutbox"/> user (call after <c>AddOutbox</c>).
/// </summary>
internal static class RetentionRegistration
{
    public static IServiceCollection AddGatewayRetention(this IServiceCollection services)
    {
        services.AddOptions<RetentionOptions>()
            .BindConfiguration(RetentionOptions.SectionName)
            .ValidateAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<RetentionOptions>, RetentionOptionsValidator>();
        services.AddSingleton<RetentionService>();
        services.AddHostedService(sp => sp.GetRequiredService<RetentionService>());
        services.AddSingleton<IOutbox>(sp => new RetainingOutbox(sp.GetRequiredService<LiteDbOutbox>(), sp.GetRequiredService<RetentionService>()));
        return services;
    }
}
