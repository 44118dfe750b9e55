using Microsoft.AspNetCore.Authentication;

namespace FleetControl.Auth;

/// <summary>
/// The console's password sign-in (<c>POST /console/login</c>, form fields <c>user</c> and <c>password</c>):
/// local accounts, throttled against guessing, every attempt audited. The reply does not say whether the
/// name exists, the password was wrong or the account is locked.
/// </summary>
internal static class ConsoleSignIn
{
    public const string FailedLocation = "/console/login?failed=1";

    public static async Task<IResult> HandleAsync(HttpContext context, AccountStore accounts, SignInThrottle throttle, AuditLog audit, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(ConsoleSignIn));
        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var name = form["user"].ToString().Trim();
        var password = form["password"].ToString();
        var remote = AuditHttpExtensions.RemoteOf(context);
        var shownName = name.Length == 0 ? "(empty)" : name;

        if (throttle.IsLocked(name, remote, out var until))
        {
            Log.SignInLocked(logger, shownName, remote, until);
            await audit.AppendAsync(new AuditEvent(shownName, "signin.refused", "console", "locked", remote, $"locked until {until:O}"), context.RequestAborted).ConfigureAwait(false);
            return Results.Redirect(FailedLocation);
        }

        var account = name.Length == 0 ? null : accounts.Find(name);
        if (account?.PasswordHash is null || Roles.Normalise(account.Role) is null)
        {
            PasswordHasher.VerifyDecoy(password); // the same time as a wrong password: no hint that the name is unknown
        }
        else if (PasswordHasher.Verify(password, account.PasswordHash))
        {
            throttle.RecordSuccess(account.Name);
            await context.SignInAsync(AuthRegistration.CookieScheme, AuthRegistration.PrincipalFor(account)).ConfigureAwait(false);
            Log.SignedIn(logger, account.Name, remote);
            await audit.AppendAsync(new AuditEvent(account.Name, "signin.succeeded", "console", "ok", remote, $"role {account.Role}"), context.RequestAborted).ConfigureAwait(false);
            return Results.Redirect("/console/");
        }

        var locked = throttle.RecordFailure(name, remote);
        Log.SignInFailed(logger, shownName, remote);
        await audit.AppendAsync(
            new AuditEvent(shownName, "signin.failed", "console", locked ? "locked" : "failed", remote, account is null ? "unknown account" : "wrong password"),
            context.RequestAborted).ConfigureAwait(false);
        return Results.Redirect(FailedLocation);
    }
}
