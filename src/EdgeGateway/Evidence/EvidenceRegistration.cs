using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Devices.Bwv;
using EdgeGateway.Hosting;
using EdgeGateway.Security;
using Grpc.Net.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Evidence;

/// <summary>Registers BWV dock bays and the evidence offload pipeline (dock role).</summary>
internal static class EvidenceRegistration
{
    public static IServiceCollection AddEvidenceOffload(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DockOptions>()
            .BindConfiguration(DockOptions.SectionName)
            .ValidateAnnotations()
            .ValidateOnStart();
        services.AddEvidenceUpload();
        services.AddSingleton<BayScanner>();
        services.AddSingleton<RecordingCopier>();
        services.AddSingleton<IHealthContributor>(sp => sp.GetRequiredService<EvidenceCounters>());
        services.AddSingleton<DockStatusTracker>();
        services.AddSingleton<EvidenceAlarms>();
        services.AddHostedService(sp => sp.GetRequiredService<EvidenceAlarms>());
        services.AddSingleton(sp => new VaultCustodyVerifier(sp.GetService<GatewayIdentity>()));
        services.AddSingleton<RecordingOffloader>();
        services.AddSingleton<OffloadService>();
        services.AddHostedService(sp => sp.GetRequiredService<OffloadService>());
        services.AddHostedService<DockStatusReporter>();
        return services;
    }

    /// <summary>
    /// The part of the evidence path every role that produces evidence needs (the dock's offload, the vehicle's
    /// in-car clips): evidence options, the staging area with its custody logs, counters, and the resumable
    /// gRPC uploader to FleetControl's vault over the device's mutual TLS.
    /// </summary>
    public static IServiceCollection AddEvidenceUpload(this IServiceCollection services)
    {
        services.AddOptions<EvidenceOptions>()
            .BindConfiguration(EvidenceOptions.SectionName)
            .ValidateAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<StagingArea>();
        services.TryAddSingleton<EvidenceCounters>();
        services.AddDeviceSecurity();
        services.TryAddSingleton(sp => new EvidenceVault.EvidenceVaultClient(
            GrpcChannel.ForAddress(sp.GetRequiredService<IOptions<GatewayOptions>>().Value.FleetControlUrl, new GrpcChannelOptions
            {
                MaxSendMessageSize = 8 * 1024 * 1024,
                HttpHandler = sp.GetRequiredService<GatewayIdentity>().CreateHttpHandler(),
            })));
        services.TryAddSingleton<EvidenceUploader>();
        return services;
    }
}
