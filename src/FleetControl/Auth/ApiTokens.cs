using System.Security.Cryptography;
using System.Text;

namespace FleetControl.Auth;

/// <summary>
/// API tokens: <c>fct_{id}_{secret}</c>, 12 hex characters of id (to find the record) and 256 random bits of
/// secret (base64url). Only the SHA-256 of the whole token is stored; it is shown once, when issued.
/// </summary>
internal static class ApiTokens
{
    public const string Prefix = "fct_";

    /// <summary>A new token and the record that stores its hash.</summary>
    public static (string Token, ApiTokenRecord Record) Create(DateTimeOffset now, DateTimeOffset? expiresAt)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var token = $"{Prefix}{id}_{secret}";
        return (token, new ApiTokenRecord { Id = id, Sha256 = HashHex(token), CreatedAt = now, ExpiresAt = expiresAt });
    }

    /// <summary>The id part of <paramref name="token"/>, or null when it is not shaped like one of ours.</summary>
    public static string? IdOf(string token)
    {
        if (!token.StartsWith(Prefix, StringComparison.Ordinal) || token.Length < Prefix.Length + 14 || token[Prefix.Length + 12] != '_')
        {
            return null;
        }

        return token.Substring(Prefix.Length, 12);
    }

    /// <summary>True when <paramref name="token"/> hashes to <paramref name="record"/>'s hash (constant-time compare).</summary>
    public static bool Matches(string token, ApiTokenRecord record)
    {
        var expected = Encoding.ASCII.GetBytes(record.Sha256);
        var actual = Encoding.ASCII.GetBytes(HashHex(token));
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    private static string HashHex(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
