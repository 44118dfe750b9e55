using FleetControl.Evidence;
using FleetControl.Hosting;
using FleetControl.Store.PostgreSql;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FleetControl.Store;

/// <summary>
/// Registers the fleet store: LiteDB in <c>FleetControl:DataDirectory</c> by default, or a shared
/// PostgreSQL database (<c>Store:Provider=PostgreSql</c>, which also moves the evidence catalogue there).
/// </summary>
internal static class StoreRegistration
{
    public const string DatabaseFileName = "fleet.db";

    public static IServiceCollection AddFleetStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StoreOptions>()
            .BindConfiguration(StoreOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        var provider = configuration.GetSection(StoreOptions.SectionName).GetValue<StoreProvider?>(nameof(StoreOptions.Provider)) ?? StoreProvider.LiteDb;
        if (provider == StoreProvider.PostgreSql)
        {
            services.AddSingleton(sp =>
            {
                var options = sp.GetRequiredService<IOptions<StoreOptions>>().Value;
                var builder = new NpgsqlConnectionStringBuilder(options.ConnectionString) { MaxPoolSize = options.MaxPoolSize };
                builder.ApplicationName ??= "FleetControl";
                return NpgsqlDataSource.Create(builder);
            });
            services.AddSingleton<PostgreSqlFleetStore>();
            services.AddSingleton<IFleetStore>(sp => sp.GetRequiredService<PostgreSqlFleetStore>());
            services.AddSingleton<IEvidenceCatalog, PostgreSqlEvidenceCatalog>();
            // Registered before the broker and the ingest: the schema is current before the first envelope.
            services.AddHostedService<PostgreSqlMigrationService>();
            services.AddHostedService<PostgreSqlRetentionService>();
            return services;
        }

        services.AddSingleton<LiteDbFleetStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<FleetControlOptions>>().Value;
            var directory = Path.GetFullPath(options.DataDirectory);
            Directory.CreateDirectory(directory);
            var store = new LiteDbFleetStore(Path.Combine(directory, DatabaseFileName), sp.GetServices<IUrgentFoldObserver>());
            if (store.Durable.FallbackReason is { } reason)
            {
                Log.DurableWaitFallback(sp.GetRequiredService<ILogger<LiteDbFleetStore>>(), reason);
            }

            return store;
        });
        services.AddSingleton<IFleetStore>(sp => sp.GetRequiredService<LiteDbFleetStore>());
        return services;
    }
}
