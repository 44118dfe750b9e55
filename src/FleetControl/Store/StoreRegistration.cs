using FleetControl.Hosting;
using Microsoft.Extensions.Options;

namespace FleetControl.Store;

/// <summary>Registers the fleet store (LiteDB in <c>FleetControl:DataDirectory</c>).</summary>
internal static class StoreRegistration
{
    public const string DatabaseFileName = "fleet.db";

    public static IServiceCollection AddFleetStore(this IServiceCollection services)
    {
        services.AddSingleton<LiteDbFleetStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<FleetControlOptions>>().Value;
            var directory = Path.GetFullPath(options.DataDirectory);
            Directory.CreateDirectory(directory);
            var store = new LiteDbFleetStore(Path.Combine(directory, DatabaseFileName));
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
