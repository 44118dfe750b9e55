namespace FleetControl.Diagnostics;

/// <summary>Registers and maps diagnostics bundles: the gRPC upload and the REST API.</summary>
internal static class DiagnosticsRegistration
{
    public static IServiceCollection AddFleetDiagnostics(this IServiceCollection services)
    {
        services.AddOptions<DiagnosticsOptions>()
            .BindConfiguration(DiagnosticsOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<DiagnosticsStore>();
        services.AddGrpc();
        return services;
    }

    public static IEndpointRouteBuilder MapFleetDiagnostics(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<DiagnosticsService>();
        endpoints.MapDiagnosticsApi();
        return endpoints;
    }
}
