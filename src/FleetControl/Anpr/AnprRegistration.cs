using FleetControl.Anpr.PostgreSql;
using FleetControl.Evidence;
using FleetControl.Hosting;
using FleetControl.Ingest;
using FleetControl.Store;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FleetControl.Anpr;

/// <summary>
/// Registers ANPR at FleetControl: the read store and hotlist store, the ingest observer, hotlist distribution and
/// retention. Like <see cref="StoreRegistration"/>, <c>Store:Provider</c> chooses where they live: LiteDB
/// (<c>anpr.db</c> and <c>anpr-images/</c> in the data directory, the default) or the shared PostgreSQL database with
/// images under <c>{Evidence:VaultDirectory}/anpr-images/</c>, so that several instances see the same reads.
/// </summary>
internal static class AnprRegistration
{
    /// <summary>The folder of image files under the vault (PostgreSQL) or the data directory (LiteDB).</summary>
    public const string ImageFolderName = "anpr-images";

    public static IServiceCollection AddAnpr(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<AnprServerOptions>()
            .BindConfiguration(AnprServerOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        var provider = configuration.GetSection(StoreOptions.SectionName).GetValue<StoreProvider?>(nameof(StoreOptions.Provider)) ?? StoreProvider.LiteDb;
        if (provider == StoreProvider.PostgreSql)
        {
            // The data source and its migrations (which include the ANPR tables) come from AddFleetStore.
            services.AddSingleton<IAnprReadStore>(sp => new PostgreSqlAnprReadStore(
                sp.GetRequiredService<NpgsqlDataSource>(),
                Path.Combine(Path.GetFullPath(sp.GetRequiredService<IOptions<EvidenceVaultOptions>>().Value.VaultDirectory), ImageFolderName)));
            services.AddSingleton<IHotlistStore, PostgreSqlHotlistStore>();
        }
        else
        {
            services.AddSingleton(sp =>
            {
                var directory = Path.GetFullPath(sp.GetRequiredService<IOptions<FleetControlOptions>>().Value.DataDirectory);
                Directory.CreateDirectory(directory);
                return new AnprLiteDatabase(directory);
            });
            services.AddSingleton<IAnprReadStore, LiteDbAnprReadStore>();
            services.AddSingleton<IHotlistStore, LiteDbHotlistStore>();
        }

        services.AddSingleton<HotlistDistributor>();
        services.AddHostedService(sp => sp.GetRequiredService<HotlistDistributor>());
        services.AddSingleton<IIngestObserver, AnprIngestObserver>();
        services.AddHostedService<AnprRetention>();
        return services;
    }
}
