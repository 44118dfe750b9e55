using EdgeGateway.Contracts;
using EdgeGateway.Contracts.V1;
using FleetControl.Auth;
using FleetControl.Store;
using Google.Protobuf.WellKnownTypes;

namespace FleetControl.Commands;

/// <summary>
/// REST endpoints for commands, configuration and rollouts. Errors are RFC 9457 ProblemDetails.
/// </summary>
internal static class CommandsApi
{
    public const int MaxListLimit = 1000;

    /// <summary>Longest a GET may wait for a command to become final (<c>?waitSeconds=</c>).</summary>
    public const int MaxWaitSeconds = 300;

    public static IEndpointRouteBuilder MapCommandsApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api").RequireAuthorization(AuthPolicies.ReadFleet);
        var operate = endpoints.MapGroup("/api").RequireAuthorization(AuthPolicies.OperateFleet); // changes devices: engineers and administrators

        operate.MapPost("/devices/{id}/commands", async (string id, CommandRequest request, CommandService commands, IFleetStore fleet, CancellationToken ct) =>
        {
            if (await UnknownDeviceAsync(id, fleet, ct).ConfigureAwait(false) is { } notFound)
            {
                return notFound;
            }

            var (command, error) = Build(request);
            if (command is null)
            {
                return Problem(StatusCodes.Status400BadRequest, "Invalid command", error!);
            }

            if (TimeToLive(request.TimeToLiveSeconds, out var ttl) is { } ttlError)
            {
                return ttlError;
            }

            var record = await commands.SendAsync(id, command, ttl, ct).ConfigureAwait(false);
            return Results.Accepted($"/api/commands/{record.CommandId}", CommandDto.From(record));
        });

        operate.MapPost("/devices/{id}/commands/nearby", async (string id, NearbyCommandRequest request, CommandService commands, IFleetStore fleet, CancellationToken ct) =>
        {
            if (await UnknownDeviceAsync(id, fleet, ct).ConfigureAwait(false) is { } notFound)
            {
                return notFound;
            }

            if (request.RadiusMetres is not { } radius || !double.IsFinite(radius) || radius < 1 || radius > NearbyRecording.MaxRadiusMetres)
            {
                return Problem(StatusCodes.Status400BadRequest, "Invalid radiusMetres", $"radiusMetres must be 1-{NearbyRecording.MaxRadiusMetres}");
            }

            if ((request.Type ?? CommandKinds.StartRecording) != CommandKinds.StartRecording)
            {
                return Problem(StatusCodes.Status400BadRequest, "Invalid command", $"only {CommandKinds.StartRecording} can be sent to nearby vehicles");
            }

            if (TimeToLive(request.TimeToLiveSeconds, out var ttl) is { } ttlError)
            {
                return ttlError;
            }

            var devices = await fleet.GetDevicesAsync(ct).ConfigureAwait(false);
            if (devices.FirstOrDefault(d => d.DeviceId == id)?.LastPosition is not { } centre)
            {
                return Problem(StatusCodes.Status409Conflict, "No position", $"'{id}' has no stored position to measure from");
            }

            var targets = new List<NearbyTargetDto>();
            foreach (var (device, distance) in NearbyRecording.Select(devices, centre, radius))
            {
                var (command, _) = Build(new CommandRequest(CommandKinds.StartRecording, Reason: request.Reason));
                var record = await commands.SendAsync(device.DeviceId, command!, ttl, ct).ConfigureAwait(false);
                var at = device.LastPosition!;
                targets.Add(new NearbyTargetDto(device.DeviceId, Math.Round(distance, 1), at.Time, at.Latitude, at.Longitude, CommandDto.From(record)));
            }

            return Results.Accepted((string?)null, new NearbyCommandDto(id, centre.Latitude, centre.Longitude, centre.Time, radius, targets));
        });

        api.MapGet("/devices/{id}/commands", async (string id, int? limit, CommandStore store, IFleetStore fleet, CancellationToken ct) =>
        {
            var n = limit ?? 100;
            if (n < 1 || n > MaxListLimit)
            {
                return Problem(StatusCodes.Status400BadRequest, "Invalid limit", $"limit must be 1-{MaxListLimit}");
            }

            if (await UnknownDeviceAsync(id, fleet, ct).ConfigureAwait(false) is { } notFound)
            {
                return notFound;
            }

            return Results.Ok(store.ListForDevice(id, n).Select(CommandDto.From).ToList());
        });

        api.MapGet("/commands/{commandId}", async (string commandId, int? waitSeconds, CommandService commands, CommandStore store, CancellationToken ct) =>
        {
            var record = store.Get(commandId);
            if (record is null)
            {
                return Problem(StatusCodes.Status404NotFound, "Unknown command", $"no command '{commandId}'");
            }

            if (waitSeconds is { } wait)
            {
                if (wait < 0 || wait > MaxWaitSeconds)
                {
                    return Problem(StatusCodes.Status400BadRequest, "Invalid waitSeconds", $"waitSeconds must be 0-{MaxWaitSeconds}");
                }

                using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
                bounded.CancelAfter(TimeSpan.FromSeconds(wait));
                try
                {
                    record = await commands.WaitFinalAsync(commandId, bounded.Token).ConfigureAwait(false) ?? record;
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    record = store.Get(commandId) ?? record; // not final yet: the current state
                }
            }

            return Results.Ok(CommandDto.From(record));
        });

        api.MapGet("/devices/{id}/configuration", async (string id, ConfigurationService configurations, IFleetStore fleet, CancellationToken ct) =>
            await UnknownDeviceAsync(id, fleet, ct).ConfigureAwait(false) ?? Results.Ok(configurations.Get(id)));

        operate.MapPut("/devices/{id}/configuration", async (string id, ConfigurationRequest request, ConfigurationService configurations, IFleetStore fleet, CancellationToken ct) =>
        {
            if (await UnknownDeviceAsync(id, fleet, ct).ConfigureAwait(false) is { } notFound)
            {
                return notFound;
            }

            if (CheckConfiguration(request) is { } invalid)
            {
                return invalid;
            }

            if (TimeToLive(request.TimeToLiveSeconds, out var ttl) is { } ttlError)
            {
                return ttlError;
            }

            var (configuration, command) = await configurations.SetDesiredAsync(id, request.Configuration!.Value.GetRawText(), ttl, ct).ConfigureAwait(false);
            return Results.Accepted($"/api/commands/{command.CommandId}", new { configuration, command = CommandDto.From(command) });
        });

        operate.MapPost("/rollouts", async (ConfigurationRequest request, RolloutService rollouts, IFleetStore fleet, CancellationToken ct) =>
        {
            if (CheckConfiguration(request) is { } invalid)
            {
                return invalid;
            }

            if (TimeToLive(request.TimeToLiveSeconds, out var ttl) is { } ttlError)
            {
                return ttlError;
            }

            var (group, devices, targetProblem) = await RolloutTargets.ResolveAsync(fleet, request.Group, request.Devices, ct).ConfigureAwait(false);
            if (targetProblem is not null)
            {
                return targetProblem;
            }

            if (request.FirstStageSize is < 1)
            {
                return Problem(StatusCodes.Status400BadRequest, "Invalid firstStageSize", "firstStageSize must be at least 1");
            }

            var rollout = rollouts.Start(group, devices, request.Configuration!.Value.GetRawText(), request.FirstStageSize ?? 1, ttl);
            return Results.Accepted($"/api/rollouts/{rollout.RolloutId}", RolloutDto.From(rollout));
        });

        api.MapGet("/rollouts", (RolloutService rollouts) => Results.Ok(rollouts.List().Select(RolloutDto.From).ToList()));

        api.MapGet("/rollouts/{rolloutId}", (string rolloutId, RolloutService rollouts) =>
            rollouts.Get(rolloutId) is { } rollout
                ? Results.Ok(RolloutDto.From(rollout))
                : Problem(StatusCodes.Status404NotFound, "Unknown rollout", $"no rollout '{rolloutId}'"));

        return endpoints;
    }

    /// <summary>Builds the command message for a request, or says what is wrong with it.</summary>
    internal static (Command? Command, string? Error) Build(CommandRequest request)
    {
        var command = new Command();
        switch (request.Type)
        {
            case CommandKinds.Ping:
                command.Ping = new PingCommand { Payload = request.Payload ?? string.Empty };
                break;
            case CommandKinds.CollectDiagnostics:
                if (request.MaxLogLines is < 0 or > 100_000)
                {
                    return (null, "maxLogLines must be 0-100000");
                }

                command.CollectDiagnostics = new CollectDiagnosticsCommand { MaxLogLines = (uint)(request.MaxLogLines ?? 1000) };
                break;
            case CommandKinds.ResendRange:
                if (request.From is not { } from || request.To is not { } to || from >= to)
                {
                    return (null, "resend-range needs from < to");
                }

                command.ResendRange = new ResendRangeCommand { From = Timestamp.FromDateTimeOffset(from), To = Timestamp.FromDateTimeOffset(to), Stream = request.Stream ?? string.Empty };
                break;
            case CommandKinds.RestartService:
                command.RestartService = new RestartServiceCommand { Reason = request.Reason ?? string.Empty };
                break;
            case CommandKinds.RescanBays:
                command.RescanBays = new RescanBaysCommand();
                break;
            case CommandKinds.StartRecording:
                command.StartRecording = new StartRecordingCommand { Reason = request.Reason ?? string.Empty };
                break;
            case CommandKinds.InstallUpdate:
                try
                {
                    command.InstallUpdate = new InstallUpdateCommand { OfferJson = EdgeGateway.Contracts.Updates.UpdateOffer.Parse(request.Offer ?? string.Empty).ToJson() };
                }
                catch (Exception e) when (e is System.Text.Json.JsonException or InvalidDataException)
                {
                    return (null, $"install-update needs offer: a signed update offer (JSON, from 'FleetControl update sign'): {e.Message}");
                }

                break;
            default:
                return (null, $"type must be one of: {string.Join(", ", CommandKinds.Sendable)}");
        }

        return (command, null);
    }

    private static IResult? CheckConfiguration(ConfigurationRequest request)
    {
        if (request.Configuration is not { } configuration)
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid configuration", "configuration (a JSON object) is required");
        }

        return ConfigurationService.CheckShape(configuration.GetRawText()) is { } error
            ? Problem(StatusCodes.Status400BadRequest, "Invalid configuration", error)
            : null;
    }

    private static IResult? TimeToLive(int? seconds, out TimeSpan? ttl)
    {
        ttl = null;
        if (seconds is null)
        {
            return null;
        }

        if (seconds < 1 || seconds > 30 * 86_400)
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid timeToLiveSeconds", "timeToLiveSeconds must be 1-2592000");
        }

        ttl = TimeSpan.FromSeconds(seconds.Value);
        return null;
    }

    private static async Task<IResult?> UnknownDeviceAsync(string id, IFleetStore fleet, CancellationToken ct) =>
        !Topics.IsValidDeviceId(id) || await fleet.GetDeviceAsync(id, ct).ConfigureAwait(false) is null
            ? Problem(StatusCodes.Status404NotFound, "Unknown device", $"unknown device '{id}'")
            : null;

    private static IResult Problem(int status, string title, string detail) =>
        Results.Problem(statusCode: status, title: title, detail: detail);
}
