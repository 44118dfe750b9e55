using FleetControl.Hosting;
using FleetControl.Store;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FleetControl.Commands;

/// <summary>
/// Registers the command queue (<c>commands.db</c> in <c>FleetControl:DataDirectory</c>, or the shared
/// PostgreSQL database under <c>Store:Provider=PostgreSql</c>), configuration and rollouts.
/// </summary>
internal static class CommandRegistration
{
    public static IServiceCollection AddFleetCommands(this IServiceCollection services)
    {
        services.AddOptions<CommandOptions>()
            .BindConfiguration(CommandOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<CommandStore>(sp =>
        {
            if (sp.GetRequiredService<IOptions<StoreOptions>>().Value.Provider == StoreProvider.PostgreSql)
            {
                return new PostgreSqlCommandStore(sp.GetRequiredService<NpgsqlDataSource>());
            }

            var directory = Path.GetFullPath(sp.GetRequiredService<IOptions<FleetControlOptions>>().Value.DataDirectory);
            Directory.CreateDirectory(directory);
            return new LiteDbCommandStore(Path.Combine(directory, CommandStore.FileName));
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
