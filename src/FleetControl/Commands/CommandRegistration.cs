using FleetControl.Hosting;
using Microsoft.Extensions.Options;

namespace FleetControl.Commands;

/// <summary>Registers the command queue (<c>commands.db</c> in <c>FleetControl:DataDirectory</c>), configuration and rollouts.</summary>
internal static class CommandRegistration
{
    public static IServiceCollection AddFleetCommands(this IServiceCollection services)
    {
        services.AddOptions<CommandOptions>()
            .BindConfiguration(CommandOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton(sp =>
        {
            var directory = Path.GetFullPath(sp.GetRequiredService<IOptions<FleetControlOptions>>().Value.DataDirectory);
            Directory.CreateDirectory(directory);
            return new CommandStore(Path.Combine(directory, CommandStore.FileName));
        });
        services.AddSingleton<CommandInbox>();
        services.AddSingleton<CommandService>();
        services.AddHostedService(sp => sp.GetRequiredService<CommandService>());
        services.AddSingleton<ConfigurationService>();
        services.AddSingleton<RolloutService>();
        services.AddHostedService(sp => sp.GetRequiredService<RolloutService>());
        return services;
    }
}
