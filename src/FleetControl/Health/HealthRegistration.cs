using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace FleetControl.Health;

/// <summary>
/// ASP.NET Core health checks: <c>/healthz</c> is liveness (the process answers; no dependency checked, so a
/// broker outage never gets FleetControl restarted), <c>/readyz</c> is readiness (store writable, broker
/// listening and ingest connected, vault writable with disk space). The standard gRPC health service
/// (<c>grpc.health.v1.Health</c>) on the gRPC port answers the same readiness for the service name <c>""</c>
/// and for <c>fleetcontrol</c>.
/// </summary>
internal static class HealthRegistration
{
    /// <summary>The gRPC health service names FleetControl answers (both mean readiness).</summary>
    public static readonly string[] GrpcServiceNames = ["", "fleetcontrol"];

    public static IServiceCollection AddFleetHealth(this IServiceCollection services)
    {
        services.AddOptions<FleetHealthOptions>()
            .BindConfiguration(FleetHealthOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddHealthChecks()
            .AddCheck<StoreHealthCheck>("store", tags: [HealthTags.Ready])
            .AddCheck<BrokerHealthCheck>("broker", tags: [HealthTags.Ready])
            .AddCheck<VaultHealthCheck>("vault", tags: [HealthTags.Ready]);
        services.AddOptions<HealthCheckServiceOptions>().Configure<IOptions<FleetHealthOptions>>((checks, health) =>
        {
            foreach (var registration in checks.Registrations)
            {
                registration.Timeout = health.Value.CheckTimeout;
            }
        });
        services.AddGrpcHealthChecks(o =>
        {
            foreach (var name in GrpcServiceNames)
            {
                o.Services.Map(name, r => r.Tags.Contains(HealthTags.Ready));
            }
        });
        return services;
    }

    public static IEndpointRouteBuilder MapFleetHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/healthz", HealthResponse.Options(_ => false)).AllowAnonymous();
        endpoints.MapHealthChecks("/readyz", HealthResponse.Options(r => r.Tags.Contains(HealthTags.Ready))).AllowAnonymous();
        endpoints.MapGrpcHealthChecksService().AllowAnonymous();
        return endpoints;
    }
}
