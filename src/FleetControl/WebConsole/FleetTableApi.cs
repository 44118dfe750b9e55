using FleetControl.Api;
using FleetControl.Auth;
using FleetControl.Store;

namespace FleetControl.WebConsole;

/// <summary>
/// <c>GET /api/fleet-table?offset=&amp;limit=&amp;filter=&amp;online=all|true|false</c>: one page of the console's fleet table,
/// filtered (device id or role containing <c>filter</c>, case-insensitive; online state) and paged on the server, so a
/// fleet of 10,000 devices sends the browser 100 rows instead of every device. Answers
/// <c>{total, matched, offset, devices}</c> with the devices in the shape of <c>GET /api/devices</c>, ordered by id.
/// The store filters and pages (<see cref="IFleetStore.GetDevicePageAsync"/>): only the page's devices are read.
/// </summary>
internal static class FleetTableApi
{
    /// <summary>Largest page.</summary>
    public const int MaxLimit = 1000;

    public static IEndpointRouteBuilder MapFleetTableApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/fleet-table", async (int? offset, int? limit, string? filter, string? online, IFleetStore store, Alerts.ClockOffsetTracker clocks, CancellationToken ct) =>
        {
            var skip = offset ?? 0;
            var take = limit ?? 100;
            if (skip < 0 || take is < 1 or > MaxLimit)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid page", detail: $"offset must be 0 or more and limit 1-{MaxLimit}");
            }

            if (online is not (null or "" or "all" or "true" or "false"))
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid online", detail: "online must be all, true or false");
            }

            bool? wanted = online is "true" ? true : online is "false" ? false : null;
            var page = await store.GetDevicePageAsync(new DeviceQuery(filter, wanted, skip, take), ct).ConfigureAwait(false);
            return Results.Ok(new
            {
                total = page.Total,
                matched = page.Matched,
                offset = skip,
                devices = page.Devices.Select(d => DtoMapper.ToDto(d, clocks)).ToList(),
            });
        }).RequireAuthorization(AuthPolicies.ReadFleet);
        return endpoints;
    }
}
