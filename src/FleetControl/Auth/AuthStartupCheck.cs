using Microsoft.Extensions.Options;

namespace FleetControl.Auth;

/// <summary>At start-up: says how engineers sign in, warns when nobody can, and shouts about the development override.</summary>
internal sealed class AuthStartupCheck(AccountStore accounts, AuditLog audit, IOptions<AuthOptions> options, ILogger<AuthStartupCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (o.InsecureDevelopmentOverride)
        {
            Log.DevelopmentOverride(logger);
        }

        var count = accounts.List().Count;
        var oidc = string.IsNullOrEmpty(o.Oidc.Authority) ? string.Empty : $" and bearer tokens from {o.Oidc.Authority}";
        Log.AuthSummary(logger, accounts.Path, count, oidc, audit.Path);
        if (count == 0 && string.IsNullOrEmpty(o.Oidc.Authority) && !o.InsecureDevelopmentOverride)
        {
            Log.NoAccounts(logger, accounts.Path);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
