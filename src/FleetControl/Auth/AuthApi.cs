using System.Security.Claims;

namespace FleetControl.Auth;

/// <summary>
/// <c>GET /api/me</c> (who am I, any role); for administrators <c>GET /api/audit</c> (newest first),
/// <c>GET /api/audit/verify</c> (the hash chain end to end) and <c>GET /api/accounts</c> (names, roles, token
/// ids; never a hash).
/// </summary>
internal static class AuthApi
{
    public const int DefaultAuditLimit = 100;
    public const int MaxAuditLimit = 10_000;

    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/me", (ClaimsPrincipal user) => Results.Ok(new
        {
            name = AuthPolicies.NameOf(user),
            roles = AuthPolicies.RolesOf(user).ToList(),
            authenticatedBy = user.Identity?.AuthenticationType,
        })).RequireAuthorization(AuthPolicies.ReadFleet);

        var admin = endpoints.MapGroup("/api").RequireAuthorization(AuthPolicies.Administer);
        admin.MapGet("/audit", (int? limit, string? action, AuditLog audit) =>
        {
            var n = limit ?? DefaultAuditLimit;
            if (n < 1 || n > MaxAuditLimit)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad limit", detail: $"limit must be 1-{MaxAuditLimit}");
            }

            return Results.Ok(audit.ReadNewest(n, string.IsNullOrEmpty(action) ? null : action));
        });
        admin.MapGet("/audit/verify", (AuditLog audit) => Results.Ok(audit.Verify()));
        admin.MapGet("/accounts", (AccountStore accounts) => Results.Ok(accounts.List().Select(a => new
        {
            name = a.Name,
            role = a.Role,
            password = a.PasswordHash is not null,
            createdAt = a.CreatedAt,
            tokens = a.Tokens.Select(t => new { id = t.Id, createdAt = t.CreatedAt, expiresAt = t.ExpiresAt }).ToList(),
        }).ToList()));
        return endpoints;
    }
}
