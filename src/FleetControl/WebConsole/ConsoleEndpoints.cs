using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace FleetControl.WebConsole;

/// <summary>
/// The web console at <c>/console/</c>: a small vanilla-JS single page (no CDN, no build step) embedded in
/// this assembly and reading the same REST API as fleetctl. Pages need the console login (a cookie); the
/// REST API itself is unchanged (open, as before; the security work adds accounts and tokens).
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

    public static IServiceCollection AddFleetConsole(this IServiceCollection services)
    {
        services.AddOptions<ConsoleOptions>()
            .BindConfiguration(ConsoleOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(options =>
            {
                options.LoginPath = "/console/login";
                options.Cookie.Name = "fleetcontrol-console";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
                options.ExpireTimeSpan = TimeSpan.FromHours(12);
            });
        services.AddAuthorization();
        return services;
    }

    public static void MapFleetConsole(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapGet("/console/login", () => Asset("login.html")).AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/console/login", async (HttpContext context, IOptions<ConsoleOptions> options) =>
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            var user = form["user"].ToString();
            var password = form["password"].ToString();
            var console = options.Value;
            if (!string.Equals(user, console.User, StringComparison.Ordinal) || !ConsolePassword.Verify(password, console.PasswordHash))
            {
                return Results.Redirect("/console/login?failed=1");
            }

            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, user)], CookieAuthenticationDefaults.AuthenticationScheme);
            await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity)).ConfigureAwait(false);
            return Results.Redirect("/console/");
        }).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        app.MapPost("/console/logout", async (HttpContext context) =>
        {
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme).ConfigureAwait(false);
            return Results.Redirect("/console/login");
        }).ExcludeFromDescription();
        app.MapGet("/console/me", (ClaimsPrincipal user) => Results.Ok(new { user = user.Identity?.Name })).RequireAuthorization().ExcludeFromDescription();
        app.MapGet("/console/{file?}", (string? file) => Asset(string.IsNullOrEmpty(file) ? "index.html" : file)).RequireAuthorization().ExcludeFromDescription();
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
