namespace FleetControl.Auth;

/// <summary>Sign-in, token and audit log messages (event ids 5800-5849). Never a password, hash or token.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 5800, Level = LogLevel.Information, Message = "{Account} signed in to the console from {Remote}")]
    public static partial void SignedIn(ILogger logger, string account, string remote);

    [LoggerMessage(EventId = 5801, Level = LogLevel.Warning, Message = "Failed console sign-in as {Account} from {Remote}")]
    public static partial void SignInFailed(ILogger logger, string account, string remote);

    [LoggerMessage(EventId = 5802, Level = LogLevel.Warning, Message = "Sign-in as {Account} from {Remote} refused: locked until {Until:O} after repeated failures")]
    public static partial void SignInLocked(ILogger logger, string account, string remote, DateTimeOffset until);

    [LoggerMessage(EventId = 5803, Level = LogLevel.Warning, Message = "An unknown, expired or revoked API token was refused from {Remote}")]
    public static partial void TokenRefused(ILogger logger, string remote);

    [LoggerMessage(EventId = 5804, Level = LogLevel.Warning, Message = "No local accounts in {AccountsFile} and no OIDC authority: nobody can sign in. Create one: FleetControl accounts add NAME --role administrator")]
    public static partial void NoAccounts(ILogger logger, string accountsFile);

    [LoggerMessage(EventId = 5805, Level = LogLevel.Critical, Message = "INSECURE DEVELOPMENT OVERRIDE (Auth:InsecureDevelopmentOverride): authentication is OFF, every request is an administrator. Never use this outside a developer's own machine.")]
    public static partial void DevelopmentOverride(ILogger logger);

    [LoggerMessage(EventId = 5806, Level = LogLevel.Information, Message = "Engineers authenticate with local accounts ({AccountsFile}, {Accounts} account(s)){Oidc}; audit log {AuditFile}")]
    public static partial void AuthSummary(ILogger logger, string accountsFile, int accounts, string oidc, string auditFile);

    [LoggerMessage(EventId = 5807, Level = LogLevel.Error, Message = "Could not write the audit log; the request is refused")]
    public static partial void AuditFailed(ILogger logger, Exception exception);
}
