using EdgeGateway.Commands;
using EdgeGateway.Core;
using EdgeGateway.Devices.Anpr.Hotlists;
using EdgeGateway.Devices.Gnss;
using EdgeGateway.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Devices.Anpr;

/// <summary>Registers the ANPR camera listener, hotlist matching and hotlist updates (vehicles with <c>Anpr:Enabled</c>).</summary>
internal static class AnprRegistration
{
    /// <summary>Folder under the data directory for the hotlist and the images.</summary>
    public const string FolderName = "anpr";

    public static IServiceCollection AddAnpr(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AnprOptions>()
            .BindConfiguration(AnprOptions.SectionName)
            .ValidateAnnotations()
            .ValidateOnStart();
        if (!configuration.GetValue<bool>($"{AnprOptions.SectionName}:{nameof(AnprOptions.Enabled)}"))
        {
            return services;
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<GnssTrack>();
        services.TryAddSingleton<AnprCounters>();
        services.TryAddSingleton(sp =>
        {
            var holder = new HotlistHolder(Folder(sp));
            holder.Load();
            return holder;
        });
        services.TryAddSingleton(sp => new AnprImageStore(
            Path.Combine(Folder(sp), "images"),
            sp.GetRequiredService<IOptions<AnprOptions>>().Value.ImageRetentionDays,
            sp.GetRequiredService<ILogger<AnprImageStore>>()));
        services.TryAddSingleton<AnprHitFeed>();
        services.TryAddSingleton<IAnprHitSource>(sp => sp.GetRequiredService<AnprHitFeed>());
        services.TryAddSingleton<AnprCameraMonitor>();
        services.TryAddSingleton<AnprReadProcessor>();
        services.TryAddSingleton<AnprCameraListener>();
        services.AddSingleton<ICommandHandler, HotlistUpdateHandler>();
        services.AddSingleton<IHealthContributor, AnprHealthContributor>();
        services.AddHostedService(sp => sp.GetRequiredService<AnprCameraMonitor>());
        services.AddHostedService<AnprHotlistReporter>();
        services.AddHostedService(sp => sp.GetRequiredService<AnprCameraListener>());
        return services;
    }

    private static string Folder(IServiceProvider sp) =>
        Path.Combine(sp.GetRequiredService<IOptions<GatewayOptions>>().Value.DataDirectory, FolderName);
}
