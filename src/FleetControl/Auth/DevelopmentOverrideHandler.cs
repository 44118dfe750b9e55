using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace FleetControl.Auth;

/// <summary>
/// <c>Auth:InsecureDevelopmentOverride</c>: every request is an administrator named
/// <see cref="UserName"/>. Only for a developer's own machine; see <see cref="AuthOptions.InsecureDevelopmentOverride"/>.
/// </summary>
internal sealed class DevelopmentOverrideHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "InsecureDevelopmentOverride";

    public const string UserName = "insecure-development-override";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        Response.Headers["X-FleetControl-Insecure"] = "development override: no authentication";
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, UserName), new Claim(ClaimTypes.Role, Roles.Administrator)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}
