using System.Security.Claims;
using FleetControl.Hosting;
using FleetControl.Store;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FleetControl.Auth;

/// <summary>
/// Engineer authentication and authorisation. One policy scheme picks, per request: an API token
/// (<c>Bearer fct_...</c>), a JWT from the OIDC authority (any other <c>Bearer</c>), or the console's sign-in
/// cookie. A request without credentials gets 401 (the console's pages redirect to the sign-in page instead),
/// one whose role does not allow the endpoint gets 403.
/// </summary>
internal static class AuthRegistration
{
    public const string Scheme = "FleetControl";
    public const string CookieScheme = CookieAuthenticationDefaults.AuthenticationScheme;
    public const string CookieName = "fleetcontrol-session";

    /// <summary>The account's role at sign-in, compared with the current one on every request.</summary>
    private const string RoleAtSignIn = "role_at_sign_in";

    /// <summary>A digest of the password hash at sign-in: a new password ends every older session.</summary>
    private const string PasswordStamp = "password_stamp";

    public static IServiceCollection AddFleetAuth(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddOptions<AuthOptions>()
            .BindConfiguration(AuthOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(
                o => !o.InsecureDevelopmentOverride || environment.IsDevelopment(),
                "Auth:InsecureDevelopmentOverride is refused unless the environment is Development (DOTNET_ENVIRONMENT=Development).")
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<FleetControlOptions>, BindSafety>();
        if (configuration.GetSection(StoreOptions.SectionName).GetValue<StoreProvider?>(nameof(StoreOptions.Provider)) == StoreProvider.PostgreSql)
        {
            // Several instances: one set of accounts, one audit chain and one cookie key ring, all in the shared
            // database, so whichever instance a request reaches knows the account and accepts the session.
            services.AddSingleton<AccountStore>(sp => new PostgreSqlAccountStore(sp.GetRequiredService<NpgsqlDataSource>()));
            services.AddSingleton<AuditLog>(sp => new PostgreSqlAuditLog(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<TimeProvider>()));
            services.AddSingleton<SignInThrottle, PostgreSqlSignInThrottle>();
            services.AddSingleton<PostgreSqlKeyRing>();
            services.AddDataProtection().SetApplicationName("FleetControl");
            services.AddOptions<KeyManagementOptions>().Configure<PostgreSqlKeyRing>((o, ring) => o.XmlRepository = ring);
        }
        else
        {
            services.AddSingleton<AccountStore>(sp => new FileAccountStore(AccountsPath(
                sp.GetRequiredService<IOptions<FleetControlOptions>>().Value, sp.GetRequiredService<IOptions<AuthOptions>>().Value)));
            services.AddSingleton<AuditLog>(sp => new FileAuditLog(
                AuditPath(sp.GetRequiredService<IOptions<FleetControlOptions>>().Value, sp.GetRequiredService<IOptions<AuthOptions>>().Value),
                sp.GetRequiredService<TimeProvider>()));
            services.AddSingleton<SignInThrottle, MemorySignInThrottle>();
        }

        services.AddHostedService<AuthStartupCheck>();

        // Which schemes exist is decided once, from configuration; their options are validated above.
        var settings = configuration.GetSection(AuthOptions.SectionName).Get<AuthOptions>() ?? new AuthOptions();
        var oidc = !string.IsNullOrEmpty(settings.Oidc.Authority);
        var development = settings.InsecureDevelopmentOverride;
        var authentication = services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "FleetControl engineers", o => o.ForwardDefaultSelector = context => Select(context, oidc, development))
            .AddCookie(CookieScheme, o =>
            {
                o.LoginPath = "/console/login";
                o.Cookie.Name = CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict; // the console's POSTs cannot be forged from another site
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = settings.SessionLifetime;
                o.SlidingExpiration = true;
                o.Events.OnRedirectToLogin = context => RedirectOrStatus(context, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = context => RedirectOrStatus(context, StatusCodes.Status403Forbidden);
                o.Events.OnValidatePrincipal = ValidateAccountAsync;
            })
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null);
        if (oidc)
        {
            authentication.AddJwtBearer(JwtBearerDefaults.AuthenticationScheme, o =>
            {
                o.Authority = settings.Oidc.Authority;
                o.Audience = settings.Oidc.Audience;
                o.RequireHttpsMetadata = settings.Oidc.RequireHttpsMetadata;
                o.MapInboundClaims = false; // keep the provider's claim names ("roles", "preferred_username")
                o.TokenValidationParameters.RoleClaimType = settings.Oidc.RoleClaim;
                o.TokenValidationParameters.NameClaimType = settings.Oidc.NameClaim;
            });
        }

        if (development)
        {
            authentication.AddScheme<AuthenticationSchemeOptions, DevelopmentOverrideHandler>(DevelopmentOverrideHandler.SchemeName, null);
        }

        services.AddAuthorization(AuthPolicies.Add);
        return services;
    }

    public static WebApplication UseFleetAuth(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    public static string AccountsPath(FleetControlOptions fleet, AuthOptions auth) =>
        Path.GetFullPath(auth.AccountsFile is { Length: > 0 } file ? file : Path.Combine(fleet.DataDirectory, "accounts.json"));

    public static string AuditPath(FleetControlOptions fleet, AuthOptions auth) =>
        Path.GetFullPath(auth.AuditFile is { Length: > 0 } file ? file : Path.Combine(fleet.DataDirectory, "audit.jsonl"));

    private static string Select(HttpContext context, bool oidc, bool development)
    {
        if (development)
        {
            return DevelopmentOverrideHandler.SchemeName;
        }

        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = header.AsSpan("Bearer ".Length).TrimStart();
            return oidc && !token.StartsWith(ApiTokens.Prefix, StringComparison.Ordinal)
                ? JwtBearerDefaults.AuthenticationScheme
                : ApiTokenAuthenticationHandler.SchemeName;
        }

        return CookieScheme;
    }

    /// <summary>The console's pages go to the sign-in page; the API answers with a status code.</summary>
    private static Task RedirectOrStatus(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        var path = context.Request.Path;
        if (path.StartsWithSegments("/console", StringComparison.Ordinal) && !path.StartsWithSegments("/console/me", StringComparison.Ordinal))
        {
            context.Response.Redirect(context.RedirectUri);
        }
        else
        {
            context.Response.StatusCode = status;
            if (status == StatusCodes.Status401Unauthorized)
            {
                context.Response.Headers.WWWAuthenticate = "Bearer";
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>A session ends as soon as its account is removed, its role changes or its password is changed.</summary>
    private static async Task ValidateAccountAsync(CookieValidatePrincipalContext context)
    {
        var accounts = context.HttpContext.RequestServices.GetRequiredService<AccountStore>();
        var name = context.Principal?.Identity?.Name;
        var account = name is null ? null : accounts.Find(name);
        if (account is null || account.PasswordHash is null
            || account.Role != context.Principal?.FindFirst(RoleAtSignIn)?.Value
            || StampOf(account.PasswordHash) != context.Principal?.FindFirst(PasswordStamp)?.Value)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieScheme).ConfigureAwait(false);
        }
    }

    /// <summary>The principal the console's cookie carries for <paramref name="account"/>.</summary>
    public static ClaimsPrincipal PrincipalFor(AccountRecord account) =>
        new(new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, account.Name),
                new Claim(ClaimTypes.Role, account.Role),
                new Claim(RoleAtSignIn, account.Role),
                new Claim(PasswordStamp, StampOf(account.PasswordHash)),
            ],
            CookieScheme));

    // Not the hash itself: the cookie is only encrypted, and the hash must not leave the server.
    private static string StampOf(string? passwordHash) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(passwordHash ?? string.Empty)))[..16];
}
