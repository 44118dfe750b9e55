using FleetControl.Hosting;
using FleetControl.Store;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FleetControl.Identity;

/// <summary>
/// Registers the device CA, enrolment, revocation and the gRPC authentication of devices. The enrolment registry is
/// <c>identity/devices.json</c>, or the shared database under <c>Store:Provider=PostgreSql</c>.
/// </summary>
internal static class IdentityRegistration
{
    public static IServiceCollection AddFleetIdentity(this IServiceCollection services)
    {
        services.AddOptions<IdentityOptions>()
            .BindConfiguration(IdentityOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<TransportSecurity>();
        services.AddSingleton<EnrolmentRegistry>(sp =>
            sp.GetRequiredService<IOptions<StoreOptions>>().Value.Provider == StoreProvider.PostgreSql
                ? new PostgreSqlEnrolmentRegistry(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<TimeProvider>())
                : new FileEnrolmentRegistry(sp.GetRequiredService<IOptions<FleetControlOptions>>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<CertificateAuthority>();
        services.AddSingleton<RevocationPublisher>();
        services.AddSingleton<DynamicSecurityDisconnector>();
        services.AddSingleton<VaultCustodySigner>();
        services.AddSingleton(sp => CustodyTrust.ForAuthority(
            sp.GetRequiredService<CertificateAuthority>(),
            sp.GetRequiredService<EnrolmentRegistry>(),
            acceptUnsigned: sp.GetRequiredService<IOptions<IdentityOptions>>().Value.DevelopmentPlaintext));
        services.AddSingleton<DeviceAuthenticationInterceptor>();
        services.AddHostedService<IdentityStartup>();
        services.AddGrpc(grpc => grpc.Interceptors.Add<DeviceAuthenticationInterceptor>());
        return services;
    }

    public static IEndpointRouteBuilder MapFleetIdentity(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<DeviceIdentityService>();
        endpoints.MapIdentityApi();
        return endpoints;
    }
}
