using FleetControl.Hosting;
using FleetControl.Ingest;
using Microsoft.Extensions.Options;

namespace FleetControl.Anpr;

/// <summary>Registers ANPR at FleetControl: the read store (<c>anpr.db</c>), its ingest observer, hotlist distribution and retention.</summary>
internal static class AnprRegistration
{
    public static IServiceCollection AddAnpr(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<AnprServerOptions>()
            .BindConfiguration(AnprServerOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton(sp =>
        {
            var directory = Path.GetFullPath(sp.GetRequiredService<IOptions<FleetControlOptions>>().Value.DataDirectory);
            Directory.CreateDirectory(directory);
            return new AnprStore(directory);
        });
        services.AddSingleton<HotlistDistributor>();
        services.AddHostedService(sp => sp.GetRequiredService<HotlistDistributor>());
        services.AddSingleton<IIngestObserver, AnprIngestObserver>();
        services.AddHostedService<AnprRetention>();
        return services;
    }
}
