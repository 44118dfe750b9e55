using FleetControl.Api;
using FleetControl.Evidence;
using FleetControl.Mqtt;
using FleetControl.Registry;
using FleetControl.Store;

namespace FleetControl.Hosting;

/// <summary>Builds the FleetControl web host: broker, store, ingest, gRPC and REST.</summary>
internal static class FleetControlHost
{
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        // Content root = the binary's folder, so its appsettings.json applies whatever the working directory.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Services.AddSystemd(); // readiness and stop notifications when run as a systemd Type=notify unit
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddFleetControlEndpoints();
        builder.Services.AddFleetStore();
        builder.Services.AddFleetMqtt(builder.Configuration);
        builder.Services.AddDeviceRegistry();
        builder.Services.AddEvidenceVault(builder.Configuration);
        return builder;
    }

    public static void Map(WebApplication app)
    {
        app.MapGet("/healthz", () => Results.Ok(new { status = "ok" }));
        app.MapDeviceRegistry();
        app.MapFleetApi();
        app.MapEvidenceVault();
        app.MapEvidenceApi();
    }
}
