using EdgeGateway.Devices.Gnss;
using EdgeGateway.Evidence;
using EdgeGateway.Health;
using EdgeGateway.Outbox;
using EdgeGateway.Uplink.Grpc;
using EdgeGateway.Uplink.Mqtt;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Hosting;

/// <summary>Builds the gateway host: shared services for every role, then the role's adapters.</summary>
internal static class GatewayHost
{
    public static HostApplicationBuilder CreateBuilder(string[] args)
    {
        // Content root = the binary's folder, so appsettings.{role}.json is found whatever the working directory.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
        AddRoleProfile(builder);

        builder.Services.AddSystemd();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOptions<GatewayOptions>()
            .BindConfiguration(GatewayOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // devices -> core -> outbox -> uplinks (DESIGN.md "The flow").
        builder.Services.AddOutbox(builder.Configuration);
        builder.Services.AddMqttUplink(builder.Configuration);
        builder.Services.AddDeviceRegistration(builder.Configuration);
        builder.Services.AddGatewayHealth(builder.Configuration);

        switch (RoleOf(builder.Configuration))
        {
            case GatewayRole.Vehicle:
                builder.Services.AddGnss(builder.Configuration);
                break;
            case GatewayRole.Dock:
                builder.Services.AddEvidenceOffload(builder.Configuration);
                break;
        }

        return builder;
    }

    internal static GatewayRole RoleOf(IConfiguration configuration)
    {
        var text = configuration[$"{GatewayOptions.SectionName}:{nameof(GatewayOptions.Role)}"];
        if (string.IsNullOrEmpty(text))
        {
            return GatewayRole.Vehicle;
        }

        return Enum.TryParse<GatewayRole>(text, ignoreCase: true, out var role) && Enum.IsDefined(role)
            ? role
            : throw new OptionsValidationException(
                "Gateway:Role",
                typeof(GatewayOptions),
                [$"Gateway:Role '{text}' is not a role; use one of: {string.Join(", ", Enum.GetNames<GatewayRole>())}."]);
    }

    /// <summary>
    /// Layers <c>appsettings.{role}.json</c> over <c>appsettings.json</c> but under environment
    /// variables and the command line, so one binary carries both profiles.
    /// </summary>
    private static void AddRoleProfile(HostApplicationBuilder builder)
    {
        var role = RoleOf(builder.Configuration).ToString().ToLowerInvariant();
        var sources = builder.Configuration.Sources;
        var lastJson = -1;
        for (var i = 0; i < sources.Count; i++)
        {
            if (sources[i] is JsonConfigurationSource)
            {
                lastJson = i;
            }
        }

        // ConfigurationManager rebuilds itself when its source list changes.
        sources.Insert(lastJson + 1, new JsonConfigurationSource { Path = $"appsettings.{role}.json", Optional = true });
    }
}
