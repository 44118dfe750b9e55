using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace FleetControl.Auth;

/// <summary>
/// <c>Authorization: Bearer fct_...</c>: an API token of a local account (fleetctl, scripts). The account's
/// current role applies, so changing a role or removing an account takes effect on the next request.
/// </summary>
internal sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    AccountStore accounts,
    TimeProvider time) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var token = header["Bearer ".Length..].Trim();
        if (accounts.FindToken(token, time.GetUtcNow()) is not { } found || Roles.Normalise(found.Account.Role) is not { } role)
        {
            Log.TokenRefused(Logger, Context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
            return Task.FromResult(AuthenticateResult.Fail("unknown, expired or revoked API token"));
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, found.Account.Name),
                new Claim(ClaimTypes.Role, role),
                new Claim("token_id", found.Token.Id),
            ],
            SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }
}
