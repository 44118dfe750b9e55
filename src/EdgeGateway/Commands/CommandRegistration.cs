using EdgeGateway.Hosting;
using EdgeGateway.Retention;
using EdgeGateway.Security;
using EdgeGateway.Uplink.Mqtt;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Commands;

/// <summary>
/// Registers the <see cref="CommandDispatcher"/>, one <see cref="ICommandHandler"/> per command (rescan-bays on
/// docks only) and the <see cref="MqttCommandChannel"/> through which the MQTT session delivers commands.
/// </summary>
internal static class CommandRegistration
{
    public static IServiceCollection AddGatewayCommands(this IServiceCollection services, GatewayRole role)
    {
        services.AddSingleton<RecentLogProvider>();
        services.AddSingleton<ILoggerProvider>(sp => sp.GetRequiredService<RecentLogProvider>());
        services.AddSingleton<IMqttDownlink, MqttCommandChannel>();
        services.AddDeviceSecurity();
        services.AddSingleton<IDiagnosticsUploader, GrpcDiagnosticsUploader>();
        services.AddSingleton<ICommandHandler, CollectDiagnosticsHandler>();
        if (role == GatewayRole.Dock)
        {
            services.AddSingleton<ICommandHandler, RescanBaysHandler>();
        }

        services.AddSingleton(sp => new CompletedCommandLog(
            Path.Combine(sp.GetRequiredService<IOptions<GatewayOptions>>().Value.DataDirectory, CompletedCommandLog.FolderName)));
        services.AddSingleton<ConfigurationApplier>();
        services.AddSingleton<ICommandHandler, PingHandler>();
        services.AddSingleton<ICommandHandler, RestartServiceHandler>();
        services.AddSingleton<ICommandHandler, ApplyConfigurationHandler>();
        services.AddGatewayRetention();
        services.AddSingleton<ICommandHandler, ResendRangeHandler>();
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
