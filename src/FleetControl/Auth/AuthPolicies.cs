using System.Security.Claims;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Authorization;

namespace FleetControl.Auth;

/// <summary>
/// Authorisation policies per endpoint group. Every endpoint without its own policy falls back to
/// <see cref="ReadFleet"/> (a signed-in user with any role), so a new endpoint is closed by default.
/// gRPC methods are the devices' endpoints: a device is identified by its certificate (Identity), not by an
/// engineer's sign-in, so the fallback leaves them to that check.
/// </summary>
internal static class AuthPolicies
{
    /// <summary>Devices, positions, stats, alerts, command history, configuration and rollouts (read).</summary>
    public const string ReadFleet = "fleet.read";

    /// <summary>Commands, configuration, rollouts, alert acknowledgement.</summary>
    public const string OperateFleet = "fleet.operate";

    /// <summary>Evidence search, view, verify and export.</summary>
    public const string Evidence = "evidence";

    /// <summary>Accounts and the audit log.</summary>
    public const string Administer = "administer";

    public static void Add(AuthorizationOptions options)
    {
        options.AddPolicy(ReadFleet, p => p.RequireAuthenticatedUser().RequireAssertion(c => HasAnyRole(c.User, Roles.All)));
        options.AddPolicy(OperateFleet, p => p.RequireAuthenticatedUser().RequireAssertion(c => HasAnyRole(c.User, [Roles.Engineer, Roles.Administrator])));
        options.AddPolicy(Evidence, p => p.RequireAuthenticatedUser().RequireAssertion(c => HasAnyRole(c.User, [Roles.EvidenceOfficer, Roles.Administrator])));
        options.AddPolicy(Administer, p => p.RequireAuthenticatedUser().RequireAssertion(c => HasAnyRole(c.User, [Roles.Administrator])));
        options.FallbackPolicy = new AuthorizationPolicyBuilder()
            .RequireAssertion(c => IsDeviceEndpoint(c.Resource) || (c.User.Identity?.IsAuthenticated == true && HasAnyRole(c.User, Roles.All)))
            .Build();
    }

    /// <summary>The canonical roles <paramref name="user"/> holds, from each identity's role claim type and the standard one.</summary>
    public static IEnumerable<string> RolesOf(ClaimsPrincipal user) =>
        user.Identities
            .Where(i => i.IsAuthenticated)
            .SelectMany(i => i.Claims.Where(c => c.Type == i.RoleClaimType || c.Type == ClaimTypes.Role))
            .Select(c => Roles.Normalise(c.Value))
            .OfType<string>()
            .Distinct(StringComparer.Ordinal);

    public static bool HasAnyRole(ClaimsPrincipal user, IReadOnlyCollection<string> roles) => RolesOf(user).Any(roles.Contains);

    /// <summary>The name recorded in the audit log: the account, or the token's subject.</summary>
    public static string NameOf(ClaimsPrincipal user) =>
        user.Identity?.Name is { Length: > 0 } name ? name
        : user.FindFirst("sub")?.Value ?? user.FindFirst(ClaimTypes.NameIdentifier)?.Value ?? "anonymous";

    private static bool IsDeviceEndpoint(object? resource) =>
        resource is HttpContext http && http.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>() is not null;
}
