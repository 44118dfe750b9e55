using EdgeGateway.Contracts.V1;
using FleetControl.Auth;
using FleetControl.Commands;
using FleetControl.Store;

namespace FleetControl.Diagnostics;

/// <summary>
/// REST: a device's diagnostics bundles (<c>GET /api/devices/{id}/diagnostics</c>), one bundle's file
/// (<c>GET /api/devices/{id}/diagnostics/{bundleId}</c>, <c>application/zip</c> with its SHA-256 in the
/// <c>X-Content-SHA256</c> header) and a shortcut that asks for one
/// (<c>POST /api/devices/{id}/diagnostics</c>: a collect-diagnostics command; the bundle id is its id).
/// </summary>
internal static class DiagnosticsApi
{
    /// <summary>Response header carrying the stored bundle's SHA-256.</summary>
    public const string Sha256Header = "X-Content-SHA256";

    public static IEndpointRouteBuilder MapDiagnosticsApi(this IEndpointRouteBuilder endpoints)
    {
        var read = endpoints.MapGroup("/api/devices/{id}/diagnostics").RequireAuthorization(AuthPolicies.ReadFleet);
        var operate = endpoints.MapGroup("/api/devices/{id}/diagnostics").RequireAuthorization(AuthPolicies.OperateFleet);

        read.MapGet("/", async (string id, DiagnosticsStore store, IFleetStore fleet, CancellationToken ct) =>
            await KnownAsync(id, fleet, ct).ConfigureAwait(false)
                ? Results.Ok(store.List(id))
                : UnknownDevice(id));

        read.MapGet("/{bundleId}", (string id, string bundleId, DiagnosticsStore store, HttpContext http) =>
        {
            if (store.Find(id, bundleId) is not { } record)
            {
                return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown diagnostics bundle", detail: $"no diagnostics bundle '{bundleId}' of '{id}'");
            }

            http.Response.Headers[Sha256Header] = record.Sha256;
            return Results.File(store.BundlePath(id, bundleId, record.Format), "application/zip", $"diagnostics-{id}-{bundleId}.{record.Format}");
        });

        operate.MapPost("/", async (string id, DiagnosticsRequest? request, CommandService commands, IFleetStore fleet, CancellationToken ct) =>
        {
            if (!await KnownAsync(id, fleet, ct).ConfigureAwait(false))
            {
                return UnknownDevice(id);
            }

            var lines = request?.MaxLogLines ?? 0;
            if (lines is < 0 or > 100_000)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid maxLogLines", detail: "maxLogLines must be 0-100000");
            }

            var command = new Command { CollectDiagnostics = new CollectDiagnosticsCommand { MaxLogLines = (uint)lines } };
            var record = await commands.SendAsync(id, command, null, ct).ConfigureAwait(false);
            return Results.Accepted($"/api/commands/{record.CommandId}", CommandDto.From(record));
        });
        return endpoints;
    }

    private static async Task<bool> KnownAsync(string id, IFleetStore fleet, CancellationToken ct) =>
        DiagnosticsStore.IsValidId(id) && await fleet.GetDeviceAsync(id, ct).ConfigureAwait(false) is not null;

    private static IResult UnknownDevice(string id) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown device", detail: $"unknown device '{id}'");
}
