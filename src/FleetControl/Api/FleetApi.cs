using FleetControl.Auth;
using FleetControl.Ingest;
using FleetControl.Mqtt;
using FleetControl.Store;

namespace FleetControl.Api;

/// <summary>The REST API fleet engineers (and the dashboard) read: devices, positions, stats.</summary>
internal static class FleetApi
{
    public const int DefaultPositionLimit = 100;
    public const int MaxPositionLimit = 10_000;
    public const int DefaultHealthLimit = 360;

    public static IEndpointRouteBuilder MapFleetApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api").RequireAuthorization(AuthPolicies.ReadFleet);

        api.MapGet("/devices", async (IFleetStore store, Alerts.ClockOffsetTracker clocks, CancellationToken ct) =>
        {
            var devices = await store.GetDevicesAsync(ct).ConfigureAwait(false);
            return Results.Ok(devices.Select(d => DtoMapper.ToDto(d, clocks)).ToList());
        });

        api.MapGet("/devices/{id}", async (string id, IFleetStore store, Alerts.ClockOffsetTracker clocks, ILoggerFactory loggers, CancellationToken ct) =>
        {
            var device = await store.GetDeviceAsync(id, ct).ConfigureAwait(false);
            if (device is null)
            {
                Log.DeviceNotFound(loggers.CreateLogger(typeof(FleetApi)), id);
                return Results.NotFound(new { error = $"unknown device '{id}'" });
            }

            var losses = await store.GetDataLossAsync(id, ct).ConfigureAwait(false);
            var events = await store.GetEventsAsync(id, 50, ct).ConfigureAwait(false);
            return Results.Ok(DtoMapper.ToDetailDto(device, losses, events, clocks));
        });

        api.MapGet("/devices/{id}/positions", async (string id, int? limit, IFleetStore store, CancellationToken ct) =>
        {
            var n = limit ?? DefaultPositionLimit;
            if (n < 1 || n > MaxPositionLimit)
            {
                return Results.BadRequest(new { error = $"limit must be 1-{MaxPositionLimit}" });
            }

            if (await store.GetDeviceAsync(id, ct).ConfigureAwait(false) is null)
            {
                return Results.NotFound(new { error = $"unknown device '{id}'" });
            }

            var positions = await store.GetPositionsAsync(id, n, ct).ConfigureAwait(false);
            return Results.Ok(positions.Select(DtoMapper.ToDto).ToList());
        });

        api.MapGet("/devices/{id}/health", async (string id, DateTimeOffset? from, DateTimeOffset? to, int? limit, IFleetStore store, CancellationToken ct) =>
        {
            var n = limit ?? DefaultHealthLimit;
            if (n < 1 || n > MaxPositionLimit)
            {
                return Results.Problem(statusCode: 400, title: "Invalid limit", detail: $"limit must be 1-{MaxPositionLimit}");
            }

            if (await store.GetDeviceAsync(id, ct).ConfigureAwait(false) is null)
            {
                return Results.Problem(statusCode: 404, title: "Unknown device", detail: $"unknown device '{id}'");
            }

            var samples = await store.GetHealthHistoryAsync(id, from, to, n, ct).ConfigureAwait(false);
            return Results.Ok(samples.Select(HealthSampleDto.From).ToList());
        });

        api.MapGet("/stats", async (IFleetStore store, IngestStats stats, MqttIngestClient ingest, IServiceProvider services, CancellationToken ct) =>
        {
            var total = await store.CountEnvelopesAsync(ct).ConfigureAwait(false);
            var devices = await store.CountDevicesAsync(ct).ConfigureAwait(false);
            var broker = services.GetService<EmbeddedBroker>();
            return Results.Ok(new StatsDto(
                ingest.Subscribed.IsCompletedSuccessfully && ingest.IsConnected,
                devices,
                total,
                stats.EnvelopesStored,
                stats.Duplicates,
                stats.RejectedEnvelopes + stats.RejectedPayloads,
                stats.RejectedEnvelopes,
                stats.RejectedPayloads,
                stats.AcksSent,
                stats.AckFailures,
                stats.Commits,
                stats.StatusUpdates,
                broker?.RefusedPublishes ?? 0));
        });

        return endpoints;
    }
}
