using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace FleetControl.Auth;

/// <summary>
/// Salted, slow password hashes: PBKDF2-HMAC-SHA256 (<c>pbkdf2-sha256$iterations$saltBase64$hashBase64</c>),
/// compared in constant time. The iteration count is stored with each hash, so raising
/// <see cref="Iterations"/> leaves existing hashes valid.
/// </summary>
internal static class PasswordHasher
{
    /// <summary>OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256.</summary>
    public const int Iterations = 600_000;

    /// <summary>Shortest password an account may be given.</summary>
    public const int MinimumLength = 12;

    private const string Prefix = "pbkdf2-sha256";

    // Verified against when the account does not exist, so an unknown name costs the same time as a wrong password.
    private static readonly string Decoy = $"{Prefix}${Iterations}${Convert.ToBase64String(new byte[16])}${Convert.ToBase64String(new byte[32])}";

    /// <summary>A new hash of <paramref name="password"/> with a random 16-byte salt.</summary>
    public static string Hash(string password) => Hash(password, Iterations);

    /// <summary>As <see cref="Hash(string)"/> with a given iteration count (tests use fewer).</summary>
    public static string Hash(string password, int iterations)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, 32);
        return string.Create(CultureInfo.InvariantCulture, $"{Prefix}${iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}");
    }

    /// <summary>True when <paramref name="password"/> matches <paramref name="stored"/>; false for a malformed or missing hash.</summary>
    public static bool Verify(string password, string? stored)
    {
        if (stored is null)
        {
            VerifyDecoy(password);
            return false;
        }

        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != Prefix
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations) || iterations < 1)
        {
            return false;
        }

        byte[] salt, expected;
        try
        {
            salt = Convert.FromBase64String(parts[2]);
            expected = Convert.FromBase64String(parts[3]);
        }
        catch (FormatException)
        {
            return false;
        }

        if (expected.Length == 0)
        {
            return false;
        }

        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>Spends the time of one verification, for a sign-in with an unknown name.</summary>
    public static void VerifyDecoy(string password) => _ = Verify(password, Decoy);
}
