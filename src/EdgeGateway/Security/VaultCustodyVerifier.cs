using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using EdgeGateway.Contracts.Evidence;
using EdgeGateway.Contracts.Security;
using EdgeGateway.Contracts.V1;

namespace EdgeGateway.Security;

/// <summary>
/// Checks the vault's custody entries in a receipt before the dock trusts it (and deletes anything from a camera):
/// on a signed chain each vault entry must be signed (version 3) by a key whose certificate comes with the receipt,
/// chains to this gateway's trust anchor (FleetControl's device CA), is FleetControl's custody certificate (common
/// name <see cref="VaultSignerName"/>, extended key usage document signing) and was valid when the entry was
/// written, and the signature must verify. Hash links alone can be recomputed by anyone who can answer as the
/// vault; the signature cannot. On an unsigned chain (written before signing, or under the development plaintext
/// override, which has no trust anchor) the vault continues unsigned and there is nothing to check.
/// </summary>
internal sealed class VaultCustodyVerifier(GatewayIdentity? identity)
{
    /// <summary>The common name of FleetControl's custody certificate (and the device name of the vault's entries).</summary>
    public const string VaultSignerName = "fleetcontrol-vault";

    /// <summary>Extended key usage "document signing" (RFC 9336), which FleetControl's custody certificate carries.</summary>
    public const string DocumentSigningOid = "1.3.6.1.5.5.7.3.36";

    /// <summary>Why the vault's entries in <paramref name="receipt"/> cannot be trusted, or null when they can.</summary>
    /// <param name="evidenceId">The item.</param>
    /// <param name="receipt">The vault's receipt with its entries and signer certificates.</param>
    /// <param name="chainSigned">Whether the dock's own chain (which the vault continues) is signed.</param>
    public string? Problem(string evidenceId, EvidenceReceipt receipt, bool chainSigned)
    {
        if (!chainSigned || identity is null || identity.IsPlaintext)
        {
            return null;
        }

        var certificates = new List<X509Certificate2>();
        try
        {
            foreach (var pem in receipt.SignerCertificates)
            {
                try
                {
                    certificates.Add(X509Certificate2.CreateFromPem(pem));
                }
                catch (System.Security.Cryptography.CryptographicException)
                {
                    return "the receipt carries a signer certificate that cannot be read";
                }
            }

            foreach (var entry in receipt.Custody.Select(CustodyLink.FromProto))
            {
                if (EntryProblem(evidenceId, entry, certificates) is { } problem)
                {
                    return string.Create(CultureInfo.InvariantCulture, $"vault custody entry {entry.Sequence} ({entry.Event}): {problem}");
                }
            }

            return null;
        }
        finally
        {
            foreach (var certificate in certificates)
            {
                certificate.Dispose();
            }
        }
    }

    private string? EntryProblem(string evidenceId, CustodyLink entry, List<X509Certificate2> certificates)
    {
        if (!entry.IsSigned || entry.Signer is null)
        {
            return "not signed, on a signed chain";
        }

        var certificate = certificates.FirstOrDefault(c => c.GetECDsaPublicKey() is { } key && KeyId(key) == entry.Signer);
        if (certificate is null)
        {
            return $"signed by key {entry.Signer[..Math.Min(16, entry.Signer.Length)]}, but the receipt carries no certificate for it";
        }

        if (DeviceCertificates.CommonName(certificate) != VaultSignerName)
        {
            return $"signed by {DeviceCertificates.CommonName(certificate)}, not by {VaultSignerName}";
        }

        using (var chain = new X509Chain())
        {
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(identity!.TrustAnchor);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid; // checked against the entry's time below
            chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid(DocumentSigningOid));
            if (!chain.Build(certificate))
            {
                return $"the signer's certificate {certificate.SerialNumber} does not chain to the trusted CA as a custody-signing certificate";
            }
        }

        if (!DateTimeOffset.TryParse(entry.At, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at)
            || at < certificate.NotBefore.ToUniversalTime() || at > certificate.NotAfter.ToUniversalTime())
        {
            return $"written at {entry.At}, outside its signer certificate's validity";
        }

        using var publicKey = certificate.GetECDsaPublicKey()!;
        return entry.VerifySignature(evidenceId, publicKey) ? null : "the signature does not verify (the entry was altered after signing)";
    }

    private static string KeyId(System.Security.Cryptography.ECDsa key)
    {
        using (key)
        {
            return CustodyLink.KeyIdOf(key);
        }
    }
}
