using System.Security.Cryptography;

namespace EdgeGateway.Contracts.Updates;

/// <summary>
/// Signs and checks update packages with the fleet's signing key (ECDSA P-256): the signature covers the
/// package's SHA-256 digest, so a package changed after signing (or a digest changed in the offer) fails.
/// </summary>
public static class UpdateSignature
{
    /// <summary>A key's id: lowercase hex SHA-256 of its SubjectPublicKeyInfo.</summary>
    public static string KeyIdOf(ECDsa key) => Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));

    /// <summary>Signs a package file and describes it as an offer.</summary>
    public static UpdateOffer Sign(ECDsa key, string packagePath, string version, string packageUrl)
    {
        byte[] digest;
        using (var stream = File.OpenRead(packagePath))
        {
            digest = SHA256.HashData(stream);
        }

        var signature = key.SignHash(digest, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return new UpdateOffer(version, packageUrl, Convert.ToHexStringLower(digest), new FileInfo(packagePath).Length, Convert.ToBase64String(signature), KeyIdOf(key));
    }

    /// <summary>True when <paramref name="signature"/> (base64) is <paramref name="key"/>'s signature over <paramref name="digest"/>.</summary>
    public static bool Verify(ECDsa key, ReadOnlySpan<byte> digest, string signature)
    {
        Span<byte> bytes = stackalloc byte[256];
        return Convert.TryFromBase64String(signature, bytes, out var length)
            && key.VerifyHash(digest, bytes[..length], DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }
}
