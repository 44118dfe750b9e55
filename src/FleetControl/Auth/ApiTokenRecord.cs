namespace FleetControl.Auth;

/// <summary>An API token of an account (for fleetctl and scripts): its id and the SHA-256 of the whole token.</summary>
internal sealed class ApiTokenRecord
{
    public string Id { get; set; } = string.Empty;

    /// <summary>Lower-case hex SHA-256 of the token. Tokens carry 256 random bits, so a fast hash suffices.</summary>
    public string Sha256 { get; set; } = string.Empty;

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the token stops working; null = until revoked.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }
}
