using EdgeGateway.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Commands;

/// <summary>
/// Registers the <see cref="CommandDispatcher"/> and one <see cref="ICommandHandler"/> per command. The MQTT
/// session (not wired here) subscribes to the device's commands topic and calls the dispatcher.
/// </summary>
internal static class CommandRegistration
{
    public static IServiceCollection AddGatewayCommands(this IServiceCollection services)
    {
        services.AddSingleton(sp => new CompletedCommandLog(
            Path.Combine(sp.GetRequiredService<IOptions<GatewayOptions>>().Value.DataDirectory, CompletedCommandLog.FolderName)));
        services.AddSingleton<ConfigurationApplier>();
        services.AddSingleton<ICommandHandler, PingHandler>();
        services.AddSingleton<ICommandHandler, RestartServiceHandler>();
        services.AddSingleton<ICommandHandler, ApplyConfigurationHandler>();
        services.AddSingleton(sp =>
        {
            var dispatcher = ActivatorUtilities.CreateInstance<CommandDispatcher>(sp);
            var applier = sp.GetRequiredService<ConfigurationApplier>();
            dispatcher.ReportedConfigurationVersion = () => applier.CurrentVersion;
            return dispatcher;
        });
        return services;
    }
}
