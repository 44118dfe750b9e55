using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace FleetControl.Evidence;

/// <summary>Registers and maps the evidence vault gRPC service.</summary>
internal static class EvidenceVaultRegistration
{
    public static IServiceCollection AddEvidenceVault(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EvidenceVaultOptions>()
            .BindConfiguration(EvidenceVaultOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<VaultStorage>();
        services.TryAddSingleton<IEvidenceCatalog, FileEvidenceCatalog>(); // Store:Provider=PostgreSql registers its own first
        services.AddHostedService<EvidenceIndexWarmup>();
        services.AddGrpc(o => o.MaxReceiveMessageSize = 8 * 1024 * 1024);

        // Kestrel's HTTP/2 defaults (768 KiB stream / 1 MiB connection window) stall a stream of 1 MiB
        // chunks on every window update; evidence uploads need a few chunks in flight.
        services.Configure<KestrelServerOptions>(k =>
        {
            k.Limits.Http2.InitialStreamWindowSize = Math.Max(k.Limits.Http2.InitialStreamWindowSize, 8 * 1024 * 1024);
            k.Limits.Http2.InitialConnectionWindowSize = Math.Max(k.Limits.Http2.InitialConnectionWindowSize, 32 * 1024 * 1024);
        });
        return services;
    }

    public static IEndpointRouteBuilder MapEvidenceVault(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<EvidenceVaultService>();
        return endpoints;
    }
}
