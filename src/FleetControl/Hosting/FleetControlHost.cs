using FleetControl.Evidence;

namespace FleetControl.Hosting;

/// <summary>Builds the FleetControl web host: broker, store, ingest, gRPC and REST.</summary>
internal static class FleetControlHost
{
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddGrpc();
        builder.Services.AddEvidenceVault(builder.Configuration);
        return builder;
    }

    public static void Map(WebApplication app)
    {
        app.MapGet("/healthz", () => Results.Ok(new { status = "ok" }));
        app.MapEvidenceVault();
    }
}
