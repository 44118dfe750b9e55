namespace FleetControl.Auth;

/// <summary>
/// Bearer tokens (JWT) from the force's identity provider (Entra ID or any OpenID Connect authority),
/// configuration section <c>Auth:Oidc</c>. Off while <see cref="Authority"/> is empty.
/// </summary>
internal sealed class OidcOptions
{
    /// <summary>The issuer, e.g. <c>https://login.microsoftonline.com/{tenant}/v2.0</c>; its discovery document gives the signing keys.</summary>
    public string? Authority { get; set; }

    /// <summary>The audience tokens must carry (FleetControl's application id URI or client id).</summary>
    public string? Audience { get; set; }

    /// <summary>Claim holding the user's roles (Entra ID app roles: <c>roles</c>); values are matched to FleetControl's roles ignoring case and '-'.</summary>
    public string RoleClaim { get; set; } = "roles";

    /// <summary>Claim recorded as the user's name in the audit log.</summary>
    public string NameClaim { get; set; } = "preferred_username";

    /// <summary>Refuse a discovery document over plain HTTP. Only a test issuer on loopback turns this off.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;
}
