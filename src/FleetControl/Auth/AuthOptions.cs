using System.ComponentModel.DataAnnotations;

namespace FleetControl.Auth;

/// <summary>Engineer sign-in, tokens and the audit log (configuration section <c>Auth</c>).</summary>
internal sealed class AuthOptions : IValidatableObject
{
    public const string SectionName = "Auth";

    /// <summary>Local accounts; default <c>{FleetControl:DataDirectory}/accounts.json</c>. Not used with <c>Store:Provider=PostgreSql</c>: the accounts are in the shared database.</summary>
    public string? AccountsFile { get; set; }

    /// <summary>The audit log; default <c>{FleetControl:DataDirectory}/audit.jsonl</c>. Not used with <c>Store:Provider=PostgreSql</c>: one chain in the shared database.</summary>
    public string? AuditFile { get; set; }

    /// <summary>Failed password sign-ins in a row that lock an account.</summary>
    [Range(1, 1000, ErrorMessage = "Auth:MaxFailedSignIns must be 1-1000.")]
    public int MaxFailedSignIns { get; set; } = 5;

    /// <summary>Failed password sign-ins from one address (any names) that lock the address.</summary>
    [Range(1, 100_000, ErrorMessage = "Auth:MaxFailedSignInsPerAddress must be 1-100000.")]
    public int MaxFailedSignInsPerAddress { get; set; } = 50;

    /// <summary>How long a lock lasts.</summary>
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a console sign-in lasts (sliding).</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);

    public OidcOptions Oidc { get; set; } = new();

    /// <summary>
    /// DEVELOPMENT OVERRIDE: every request is treated as an administrator named "insecure-development-override",
    /// with no sign-in. Refused unless the host environment is Development; logged as critical at start-up
    /// and marked on every response (header <c>X-FleetControl-Insecure</c>).
    /// </summary>
    public bool InsecureDevelopmentOverride { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (LockoutDuration <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Auth:LockoutDuration must be positive.", [nameof(LockoutDuration)]);
        }

        if (SessionLifetime <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Auth:SessionLifetime must be positive.", [nameof(SessionLifetime)]);
        }

        if (!string.IsNullOrEmpty(Oidc.Authority))
        {
            if (!Uri.TryCreate(Oidc.Authority, UriKind.Absolute, out var authority) || authority.Scheme is not ("https" or "http"))
            {
                yield return new ValidationResult($"Auth:Oidc:Authority '{Oidc.Authority}' is not an http(s) address.", [nameof(Oidc)]);
            }
            else if (authority.Scheme == "http" && Oidc.RequireHttpsMetadata)
            {
                yield return new ValidationResult("Auth:Oidc:Authority must be https (Auth:Oidc:RequireHttpsMetadata is on).", [nameof(Oidc)]);
            }

            if (string.IsNullOrEmpty(Oidc.Audience))
            {
                yield return new ValidationResult("Auth:Oidc:Audience is required when Auth:Oidc:Authority is set.", [nameof(Oidc)]);
            }
        }
    }
}
