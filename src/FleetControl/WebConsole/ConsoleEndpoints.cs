using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using FleetControl.Auth;

namespace FleetControl.WebConsole;

/// <summary>
/// The web console at <c>/console/</c>: a small vanilla-JS single page (no CDN, no build step) embedded in
/// this assembly and reading the same REST API as fleetctl. Pages need a signed-in account (the session cookie,
/// see <see cref="ConsoleSignIn"/>); the API calls the pages make carry the same cookie and the same roles.
/// </summary>
internal static class ConsoleEndpoints
{
    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".json"] = "application/json",
    };

    public static void MapFleetConsole(this WebApplication app)
    {
        app.MapGet("/console/login", () => Asset("login.html")).AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/console/login", ConsoleSignIn.HandleAsync).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        app.MapPost("/console/logout", async (HttpContext context) =>
        {
            await context.SignOutAsync(AuthRegistration.CookieScheme).ConfigureAwait(false);
            return Results.Redirect("/console/login");
        }).ExcludeFromDescription();
        app.MapGet("/console/me", (ClaimsPrincipal user) => Results.Ok(new { user = user.Identity?.Name, roles = AuthPolicies.RolesOf(user).ToList() })).RequireAuthorization(AuthPolicies.ReadFleet).ExcludeFromDescription();
        app.MapFleetTableApi();
        app.MapGet("/console/{file?}", (string? file) => Asset(string.IsNullOrEmpty(file) ? "index.html" : file)).RequireAuthorization(AuthPolicies.ReadFleet).ExcludeFromDescription();
    }

    private static IResult Asset(string name)
    {
        var extension = Path.GetExtension(name);
        if (!ContentTypes.TryGetValue(extension, out var contentType))
        {
            return Results.NotFound();
        }

        var stream = typeof(ConsoleEndpoints).Assembly.GetManifestResourceStream("console/" + name);
        return stream is null ? Results.NotFound() : Results.Stream(stream, contentType);
    }
}
