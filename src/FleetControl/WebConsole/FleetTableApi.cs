using FleetControl.Api;
using FleetControl.Auth;
using FleetControl.Store;

namespace FleetControl.WebConsole;

/// <summary>
/// <c>GET /api/fleet-table?offset=&amp;limit=&amp;filter=&amp;online=all|true|false</c>: one page of the console's fleet table,
/// filtered (device id or role containing <c>filter</c>, case-insensitive; online state) and paged on the server, so a
/// fleet of 10,000 devices sends the browser 100 rows instead of every device. Answers
/// <c>{total, matched, offset, devices}</c> with the devices in the shape of <c>GET /api/devices</c>, ordered by id.
/// </summary>
internal static class FleetTableApi
{
    /// <summary>Largest page.</summary>
    public const int MaxLimit = 1000;

    public static IEndpointRouteBuilder MapFleetTableApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/fleet-table", async (int? offset, int? limit, string? filter, string? online, IFleetStore store, CancellationToken ct) =>
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
            var devices = await store.GetDevicesAsync(ct).ConfigureAwait(false);
            var matched = devices
                .Where(d => string.IsNullOrEmpty(filter)
                    || d.DeviceId.Contains(filter, StringComparison.OrdinalIgnoreCase)
                    || d.Role.Contains(filter, StringComparison.OrdinalIgnoreCase))
                .Where(d => wanted is null || d.Online == wanted)
                .OrderBy(d => d.DeviceId, StringComparer.Ordinal)
                .ToList();
            return Results.Ok(new
            {
                total = devices.Count,
                matched = matched.Count,
                offset = skip,
                devices = matched.Skip(skip).Take(take).Select(DtoMapper.ToDto).ToList(),
            });
        }).RequireAuthorization(AuthPolicies.ReadFleet);
        return endpoints;
    }
}
