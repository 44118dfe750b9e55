namespace FleetControl.Registry;

/// <summary>Registers and maps the gRPC DeviceRegistry.</summary>
internal static class RegistryRegistration
{
    public static IServiceCollection AddDeviceRegistry(this IServiceCollection services)
    {
        services.AddGrpc();
        return services;
    }

    public static IEndpointRouteBuilder MapDeviceRegistry(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<DeviceRegistryService>();
        return endpoints;
    }
}
