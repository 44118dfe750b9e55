using System.Security.Claims;
using EdgeGateway.Contracts.Updates;
using FleetControl.Auth;
using FleetControl.Commands;
using FleetControl.Store;

namespace FleetControl.Updates;

/// <summary>REST endpoints for staged OTA update rollouts (<c>/api/updates/rollouts</c>). Errors are RFC 9457 ProblemDetails.</summary>
internal static class UpdateRolloutsApi
{
    /// <summary>Default waves: a canary device, then 10% of the group, then the rest.</summary>
    public static readonly IReadOnlyList<string> DefaultWaves = ["1", "10%", "rest"];

    public static IEndpointRouteBuilder MapUpdateRolloutsApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/updates/rollouts").RequireAuthorization(AuthPolicies.ReadFleet);
        var operate = endpoints.MapGroup("/api/updates/rollouts").RequireAuthorization(AuthPolicies.OperateFleet);

        operate.MapPost("/", async (UpdateRolloutRequest request, UpdateRolloutService rollouts, IFleetStore fleet, CancellationToken ct) =>
        {
            UpdateOffer offer;
            try
            {
                offer = UpdateOffer.Parse(request.Offer ?? string.Empty);
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or InvalidDataException)
            {
                return Problem(StatusCodes.Status400BadRequest, "Invalid offer", $"offer must be a signed update offer (JSON, from 'FleetControl update sign'): {e.Message}");
            }

            if (request.TimeToLiveSeconds is < 1 or > 30 * 86_400)
            {
                return Problem(StatusCodes.Status400BadRequest, "Invalid timeToLiveSeconds", "timeToLiveSeconds must be 1-2592000");
            }

            if (request.WaveTimeoutSeconds is < 1 or > 30 * 86_400)
            {
                return Problem(StatusCodes.Status400BadRequest, "Invalid waveTimeoutSeconds", "waveTimeoutSeconds must be 1-2592000");
            }

            var (group, devices, targetProblem) = await RolloutTargets.ResolveAsync(fleet, request.Group, request.Devices, ct).ConfigureAwait(false);
            if (targetProblem is not null)
            {
                return targetProblem;
            }

            IReadOnlyList<int> waves;
            try
            {
                waves = UpdateRolloutService.PlanWaves(devices.Count, request.Waves is { Count: > 0 } given ? given : DefaultWaves);
            }
            catch (ArgumentException e)
            {
                return Problem(StatusCodes.Status400BadRequest, "Invalid waves", e.Message.Split(" (Parameter", 2)[0]);
            }

            var rollout = rollouts.Start(
                group, devices, offer.ToJson(), offer.Version, waves,
                request.TimeToLiveSeconds is { } ttl ? TimeSpan.FromSeconds(ttl) : null,
                request.WaveTimeoutSeconds is { } waveTimeout ? TimeSpan.FromSeconds(waveTimeout) : null);
            return Results.Accepted($"/api/updates/rollouts/{rollout.RolloutId}", RolloutDto.From(rollout));
        });

        api.MapGet("/", (UpdateRolloutService rollouts) => Results.Ok(rollouts.List().Select(RolloutDto.From).ToList()));

        api.MapGet("/{rolloutId}", (string rolloutId, UpdateRolloutService rollouts) =>
            rollouts.Get(rolloutId) is { } rollout
                ? Results.Ok(RolloutDto.From(rollout))
                : Problem(StatusCodes.Status404NotFound, "Unknown rollout", $"no update rollout '{rolloutId}'"));

        operate.MapPost("/{rolloutId}/halt", (string rolloutId, UpdateHaltRequest? request, ClaimsPrincipal user, UpdateRolloutService rollouts) =>
        {
            var by = user.Identity?.Name is { Length: > 0 } name ? name : "an operator";
            var reason = $"halted by {by}" + (request?.Reason is { Length: > 0 } why ? $": {why}" : string.Empty);
            return rollouts.Halt(rolloutId, reason) is { } rollout
                ? Results.Ok(RolloutDto.From(rollout))
                : Problem(StatusCodes.Status404NotFound, "Unknown rollout", $"no update rollout '{rolloutId}'");
        });

        return endpoints;
    }

    private static IResult Problem(int status, string title, string detail) =>
        Results.Problem(statusCode: status, title: title, detail: detail);
}
