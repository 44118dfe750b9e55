using System.Text.Json;
using FleetControl.Auth;
using FleetControl.Hosting;

namespace FleetControl.Alerts;

/// <summary>REST and server-sent-events endpoints for alerts.</summary>
internal static class AlertsApi
{
    public const int MaxLimit = 1000;

    public static IEndpointRouteBuilder MapAlertsApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/alerts").RequireAuthorization(AuthPolicies.ReadFleet);
        var operate = endpoints.MapGroup("/api/alerts").RequireAuthorization(AuthPolicies.OperateFleet);

        api.MapGet("/", (string? state, string? deviceId, int? limit, AlertStore store) =>
        {
            var n = limit ?? 100;
            if (n < 1 || n > MaxLimit)
            {
                return Results.Problem(statusCode: 400, title: "Invalid limit", detail: $"limit must be 1-{MaxLimit}");
            }

            if (state is not null and not "active" and not "resolved")
            {
                return Results.Problem(statusCode: 400, title: "Invalid state", detail: "state must be active or resolved");
            }

            return Results.Ok(store.List(state, deviceId, n));
        });

        api.MapGet("/{alertId}", (string alertId, AlertStore store) => store.Get(alertId) is { } alert
            ? Results.Ok(alert)
            : Results.Problem(statusCode: 404, title: "Unknown alert", detail: $"no alert '{alertId}'"));

        // Recorded under the signed-in account's name, never a name the caller supplies.
        operate.MapPost("/{alertId}/ack", (string alertId, HttpContext http, AlertService alerts) =>
        {
            var user = http.User.Identity?.Name is { Length: > 0 } name ? name : "unknown";
            return alerts.Acknowledge(alertId, user) is { } alert
                ? Results.Ok(alert)
                : Results.Problem(statusCode: 404, title: "Unknown alert", detail: $"no alert '{alertId}'");
        });

        // Server-sent events: one "alert" event per change, as JSON. EventSource reconnects by itself.
        api.MapGet("/stream", async (HttpContext context, AlertService alerts, CancellationToken ct) =>
        {
            context.Response.Headers.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache";
            await context.Response.WriteAsync(": connected\n\n", ct).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(ct).ConfigureAwait(false);
            try
            {
                await foreach (var alert in alerts.SubscribeAsync(ct).ConfigureAwait(false))
                {
                    var json = JsonSerializer.Serialize(alert, JsonSerializerOptions.Web);
                    await context.Response.WriteAsync($"event: alert\ndata: {json}\n\n", ct).ConfigureAwait(false);
                    await context.Response.Body.FlushAsync(ct).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // The client went away.
            }
        });

        return endpoints;
    }
}
