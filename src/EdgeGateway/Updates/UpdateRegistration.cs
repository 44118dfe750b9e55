using EdgeGateway.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace EdgeGateway.Updates;

/// <summary>Registers the gateway's part of over-the-air updates (<see cref="UpdateConfirmation"/>).</summary>
internal static class UpdateRegistration
{
    public static IServiceCollection AddGatewayUpdates(this IServiceCollection services)
    {
        services.AddOptions<UpdateOptions>()
            .BindConfiguration(UpdateOptions.SectionName)
            .ValidateAnnotations()
            .ValidateOnStart();
        services.AddHostedService<UpdateConfirmation>();
        services.AddSingleton<Commands.ICommandHandler, InstallUpdateHandler>();
        return services;
    }
}
