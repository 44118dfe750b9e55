namespace FleetControl.Identity;

/// <summary>Registers the device CA, enrolment, revocation and the gRPC authentication of devices.</summary>
internal static class IdentityRegistration
{
    public static IServiceCollection AddFleetIdentity(this IServiceCollection services)
    {
        services.AddOptions<IdentityOptions>()
            .BindConfiguration(IdentityOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<TransportSecurity>();
        services.AddSingleton<EnrolmentRegistry>();
        services.AddSingleton<CertificateAuthority>();
        services.AddSingleton<RevocationPublisher>();
        services.AddSingleton<DynamicSecurityDisconnector>();
        services.AddSingleton<VaultCustodySigner>();
        services.AddSingleton(sp => CustodyTrust.ForAuthority(
            sp.GetRequiredService<CertificateAuthority>(),
            sp.GetRequiredService<EnrolmentRegistry>(),
            acceptUnsigned: sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<IdentityOptions>>().Value.DevelopmentPlaintext));
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
