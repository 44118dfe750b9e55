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
        services.AddSingleton<IEvidenceCatalog, FileEvidenceCatalog>();
        services.AddGrpc(o => o.MaxReceiveMessageSize = 8 * 1024 * 1024);
        return services;
    }

    public static IEndpointRouteBuilder MapEvidenceVault(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<EvidenceVaultService>();
        return endpoints;
    }
}
