using EdgeGateway.Contracts;
using FleetControl.Mqtt;
using Microsoft.Extensions.Options;

namespace FleetControl.Identity;

/// <summary>
/// REST endpoints for engineers: enrol a device (a one-time token, shown once), revoke it, see its state.
/// Errors are RFC 9457 ProblemDetails.
/// </summary>
internal static class IdentityApi
{
    public static IEndpointRouteBuilder MapIdentityApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api/devices/{id}");

        api.MapPost("/enrolment", (string id, EnrolmentRegistry registry, CertificateAuthority authority, TransportSecurity security,
            IOptions<IdentityOptions> options, IOptions<MqttOptions> mqtt, ILogger<EnrolmentRegistry> logger) =>
        {
            if (InvalidId(id, mqtt.Value) is { } invalid)
            {
                return invalid;
            }

            if (!security.IsTlsEnabled)
            {
                return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "TLS is off",
                    detail: "FleetControl runs with the development override Identity:DevelopmentPlaintext; there is nothing to enrol.");
            }

            var (token, expires) = registry.CreateToken(id, options.Value.EnrolmentTokenLifetime);
            Log.TokenIssued(logger, id, expires);
            return Results.Ok(new EnrolmentTokenDto(id, token, expires, authority.RootPem));
        });

        api.MapPost("/revoke", async (string id, EnrolmentRegistry registry, RevocationPublisher revocations, TransportSecurity security,
            IOptions<MqttOptions> mqtt, ILogger<EnrolmentRegistry> logger, CancellationToken cancellationToken) =>
        {
            if (InvalidId(id, mqtt.Value) is { } invalid)
            {
                return invalid;
            }

            var count = registry.Revoke(id);
            if (security.IsTlsEnabled)
            {
                await revocations.PublishAsync(id, cancellationToken).ConfigureAwait(false); // the CRL, an external broker's reload and its open connection
            }

            Log.Revoked(logger, id, count);
            return Results.Ok(registry.Describe(id) ?? new DeviceIdentityDto(id, false, null, 0, null, 0));
        });

        api.MapGet("/identity", (string id, EnrolmentRegistry registry, IOptions<MqttOptions> mqtt) =>
            InvalidId(id, mqtt.Value) ?? (registry.Describe(id) is { } state
                ? Results.Ok(state)
                : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown device", detail: $"{id} was never enrolled")));

        return endpoints;
    }

    private static IResult? InvalidId(string id, MqttOptions mqtt) =>
        Topics.IsValidDeviceId(id) && !mqtt.IsIngestClientId(id)
            ? null
            : Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid device id",
                detail: "a device id is 1-64 characters of letters, digits, '.', '_' or '-', and not one of FleetControl's own client ids");
}
