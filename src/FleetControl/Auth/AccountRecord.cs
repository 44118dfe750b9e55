namespace FleetControl.Auth;

/// <summary>One local account as stored in the accounts file. Never holds a password or a token, only their hashes.</summary>
internal sealed class AccountRecord
{
    public string Name { get; set; } = string.Empty;

    /// <summary>One of <see cref="Roles.All"/>.</summary>
    public string Role { get; set; } = Roles.Viewer;

    /// <summary><see cref="PasswordHasher"/> format; null for an account that signs in with API tokens only.</summary>
    public string? PasswordHash { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public List<ApiTokenRecord> Tokens { get; set; } = [];
}
