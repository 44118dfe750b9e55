namespace FleetControl.Tetra;

/// <summary>Registers the TETRA gateway when <c>Tetra:Enabled</c> (after the ingest path it feeds).</summary>
internal static class TetraGatewayRegistration
{
    public static IServiceCollection AddFleetTetraGateway(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TetraGatewayOptions>()
            .BindConfiguration(TetraGatewayOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<TetraGatewayStats>();
        if (configuration.GetSection(TetraGatewayOptions.SectionName).GetValue<bool>(nameof(TetraGatewayOptions.Enabled)))
        {
            services.AddSingleton<TetraGatewayService>();
            services.AddHostedService(sp => sp.GetRequiredService<TetraGatewayService>());
        }

        return services;
    }
}
