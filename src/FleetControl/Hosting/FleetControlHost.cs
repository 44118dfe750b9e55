using FleetControl.Alerts;
using FleetControl.Anpr;
using FleetControl.Api;
using FleetControl.Auth;
using FleetControl.Commands;
using FleetControl.Diagnostics;
using FleetControl.WebConsole;
using FleetControl.Evidence;
using FleetControl.Health;
using FleetControl.Identity;
using FleetControl.Mqtt;
using FleetControl.Registry;
using FleetControl.Store;
using FleetControl.Tetra;
using FleetControl.Updates;

namespace FleetControl.Hosting;

/// <summary>Builds the FleetControl web host: broker, store, ingest, gRPC and REST.</summary>
internal static class FleetControlHost
{
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        // Content root = the binary's folder, so its appsettings.json applies whatever the working directory.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        AddSiteConfiguration(builder.Configuration);
        builder.Services.AddSystemd(); // readiness and stop notifications when run as a systemd Type=notify unit
        // Under systemd the console speaks journald's syslog format, unless the site asks for another
        // (Logging:Console:FormatterName=json keeps every field of a log line for journalctl -o cat | jq).
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(builder.Configuration.GetSection("Logging:Console"));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddFleetIdentity(); // before the broker and the endpoints: both use its certificates
        builder.Services.AddFleetControlEndpoints();
        builder.Services.AddFleetStore(builder.Configuration);
        builder.Services.AddFleetMqtt(builder.Configuration);
        builder.Services.AddFleetTetraGateway(builder.Configuration);
        builder.Services.AddDeviceRegistry();
        builder.Services.AddFleetCommands();
        builder.Services.AddFleetUpdateRollouts();
        builder.Services.AddFleetAlerts();
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi(); // /openapi/v1.json
        builder.Services.AddFleetAuth(builder.Configuration, builder.Environment);
        builder.Services.AddEvidenceVault(builder.Configuration);
        builder.Services.AddAnpr(builder.Configuration);
        builder.Services.AddFleetDiagnostics();
        builder.Services.AddFleetHealth();
        return builder;
    }

    /// <summary>Environment variable naming the site configuration folder (default <see cref="DefaultSiteConfigDirectory"/>).</summary>
    public const string SiteConfigDirectoryVariable = "FLEETCONTROL_CONFIG_DIR";

    /// <summary>Where an installer puts this server's settings (ports, bind address, data and vault folders).</summary>
    public const string DefaultSiteConfigDirectory = "/etc/fleetcontrol";

    /// <summary>
    /// Puts the site's <c>appsettings.json</c> above the shipped one (beside the binary) and below
    /// environment variables and the command line.
    /// </summary>
    private static void AddSiteConfiguration(ConfigurationManager configuration)
    {
        var directory = Environment.GetEnvironmentVariable(SiteConfigDirectoryVariable) is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : DefaultSiteConfigDirectory;
        if (!Directory.Exists(directory))
        {
            return;
        }

        var sources = configuration.Sources;
        var lastJson = -1;
        for (var i = 0; i < sources.Count; i++)
        {
            if (sources[i] is Microsoft.Extensions.Configuration.Json.JsonConfigurationSource)
            {
                lastJson = i;
            }
        }

        sources.Insert(lastJson + 1, new Microsoft.Extensions.Configuration.Json.JsonConfigurationSource
        {
            FileProvider = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(directory),
            Path = "appsettings.json",
            Optional = true,
        });
    }

    public static void Map(WebApplication app)
    {
        app.UseFleetAuth();
        app.MapFleetConsole();
        app.MapFleetHealth();
        app.MapAuthApi();
        app.MapDeviceRegistry();
        app.MapFleetIdentity();
        app.MapFleetApi();
        app.MapFleetMetrics();
        app.MapCommandsApi();
        app.MapUpdateRolloutsApi();
        app.MapAlertsApi();
        app.MapPositionsApi();
        app.MapOpenApi();
        app.MapEvidenceVault();
        app.MapEvidenceApi();
        app.MapAnprApi();
        app.MapFleetDiagnostics();
    }
}
