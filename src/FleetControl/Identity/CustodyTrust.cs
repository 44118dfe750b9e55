using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using EdgeGateway.Contracts.Evidence;
using EdgeGateway.Contracts.Security;

namespace FleetControl.Identity;

/// <summary>
/// Checks the signatures of a custody chain against the certificates the device CA issued. A signed entry (version 3)
/// holds when its key has a certificate that chains to the CA root (expiry is not held against it: the entry was
/// signed while the key was in use), whose common name is the signer the entry needs (the vault's own entries:
/// <see cref="VaultCustodySigner.SignerName"/>; every other entry: the device that uploaded the item, which attests
/// its cameras' entries too), that was not revoked before the entry's time, and whose key verifies the signature.
/// An unsigned entry (versions 1 and 2) fails unless unsigned entries are accepted (the development plaintext
/// override, or <c>evidence verify --accept-unsigned</c> for chains written before signing): anyone who can write
/// the chain file could have re-hashed it.
/// </summary>
internal sealed class CustodyTrust
{
    private readonly Func<X509Certificate2>? _root;
    private readonly IssuedCertificates? _issued;
    private readonly EnrolmentRegistry? _registry;
    private readonly string _missing = "no certificates are available to check it";

    private CustodyTrust(Func<X509Certificate2>? root, IssuedCertificates? issued, EnrolmentRegistry? registry, bool acceptUnsigned, string? missing = null)
    {
        _missing = missing ?? _missing;
        _root = root;
        _issued = issued;
        _registry = registry;
        AcceptsUnsigned = acceptUnsigned;
    }

    /// <summary>No certificates at all: accepts unsigned entries, refuses every signed one as unverifiable (tests of unsigned chains).</summary>
    public static CustodyTrust UnsignedOnly { get; } = new(null, null, null, acceptUnsigned: true);

    /// <summary>True when unsigned entries pass (reported as unsigned in the summary).</summary>
    public bool AcceptsUnsigned { get; }

    /// <summary>The running server's trust: its authority's root and issued certificates, its revocations.</summary>
    public static CustodyTrust ForAuthority(CertificateAuthority authority, EnrolmentRegistry registry, bool acceptUnsigned) =>
        new(() => authority.Root, authority.Issued, registry, acceptUnsigned);

    /// <summary>
    /// Offline trust (<c>evidence verify</c>): the issued certificates in <paramref name="certificatesDirectory"/> (or the
    /// identity directory's <c>certificates</c>), the revocations of <paramref name="registry"/> (or the directory's
    /// <c>devices.json</c>), and <paramref name="caCertificateFile"/> or the directory's <c>ca.crt</c> as the root.
    /// </summary>
    public static CustodyTrust FromDirectory(
        string identityDirectory, string? caCertificateFile, bool acceptUnsigned, string? certificatesDirectory = null, EnrolmentRegistry? registry = null)
    {
        var rootFile = caCertificateFile is { Length: > 0 } ? caCertificateFile : Path.Combine(identityDirectory, "ca.crt");
        var root = new Lazy<X509Certificate2>(() =>
        {
            using var pem = X509Certificate2.CreateFromPem(File.ReadAllText(rootFile));
            return X509CertificateLoader.LoadCertificate(pem.RawData);
        });
        return new CustodyTrust(File.Exists(rootFile) ? () => root.Value : null, new IssuedCertificates(identityDirectory, certificatesDirectory),
            registry ?? new FileEnrolmentRegistry(identityDirectory, TimeProvider.System), acceptUnsigned,
            $"there is no CA certificate at {rootFile} to check it (give --identity DIR: FleetControl's {{DataDirectory}}/identity)");
    }

    /// <summary>
    /// Checks every entry's signature; <paramref name="uploader"/> is the device the item came from.
    /// <paramref name="acceptUnsigned"/> overrides <see cref="AcceptsUnsigned"/> (the vault takes unsigned entries in,
    /// so that no evidence is stranded, and verification names them). Entries before <paramref name="from"/> are not checked.
    /// </summary>
    public CustodySignatureReport Check(string evidenceId, string uploader, IReadOnlyList<CustodyLink> chain, bool? acceptUnsigned = null, int from = 0)
    {
        var unsignedOk = acceptUnsigned ?? AcceptsUnsigned;
        var problems = new List<string>();
        var signers = new List<string>(chain.Count);
        var revoked = _registry?.RevokedSerials().ToDictionary(r => r.Serial, r => r.RevokedAt, StringComparer.OrdinalIgnoreCase)
            ?? new Dictionary<string, DateTimeOffset>();
        for (var i = from; i < chain.Count; i++)
        {
            var entry = chain[i];
            if (!entry.IsSigned)
            {
                signers.Add("unsigned");
                if (!unsignedOk)
                {
                    problems.Add(Invariant($"entry {i} ({entry.Event}): unsigned (format v{entry.Version}); nothing proves who wrote it"));
                }

                continue;
            }

            var expected = entry.Device == VaultCustodySigner.SignerName ? VaultCustodySigner.SignerName : uploader;
            var (signer, problem) = CheckSigned(evidenceId, entry, expected, revoked);
            signers.Add(signer ?? "?");
            if (problem is not null)
            {
                problems.Add(Invariant($"entry {i} ({entry.Event}): {problem}"));
            }
        }

        return new CustodySignatureReport(problems, Describe(signers));
    }

    private (string? Signer, string? Problem) CheckSigned(string evidenceId, CustodyLink entry, string expected, Dictionary<string, DateTimeOffset> revoked)
    {
        var key = entry.Signer!;
        if (_root is null || _issued is null)
        {
            return (null, $"signed by key {Short(key)}, but {_missing}");
        }

        var candidates = _issued.ForKey(key).Where(c => ChainsToRoot(c, _root())).ToList();
        if (candidates.Count == 0)
        {
            return (null, $"signed by key {Short(key)}, for which the device CA issued no certificate");
        }

        var named = candidates.Where(c => DeviceCertificates.CommonName(c) == expected).ToList();
        if (named.Count == 0)
        {
            return (DeviceCertificates.CommonName(candidates[0]), $"signed by {DeviceCertificates.CommonName(candidates[0])}'s key, but only {expected} may sign it");
        }

        var at = DateTimeOffset.TryParse(entry.At, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed) ? parsed : DateTimeOffset.MaxValue;
        var standing = named.Where(c => !revoked.TryGetValue(c.SerialNumber, out var when) || when >= at).ToList();
        if (standing.Count == 0)
        {
            return (expected, $"signed by {expected}'s key after its certificate {named[^1].SerialNumber} was revoked ({revoked[named[^1].SerialNumber]:O})");
        }

        var certificate = standing[^1];
        using var publicKey = certificate.GetECDsaPublicKey()!;
        return entry.VerifySignature(evidenceId, publicKey)
            ? (expected, null)
            : (expected, $"signature does not verify against {expected}'s certificate {certificate.SerialNumber} (the entry was altered after signing)");
    }

    private static bool ChainsToRoot(X509Certificate2 certificate, X509Certificate2 root)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck; // the registry's revocation times, above
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid;
        return chain.Build(certificate);
    }

    /// <summary>Runs of equal signers: <c>dock-01 (0-6), fleetcontrol-vault (7-9)</c>.</summary>
    private static string Describe(List<string> signers)
    {
        var runs = new List<string>();
        for (var start = 0; start < signers.Count;)
        {
            var end = start;
            while (end + 1 < signers.Count && signers[end + 1] == signers[start])
            {
                end++;
            }

            runs.Add(start == end ? Invariant($"{signers[start]} ({start})") : Invariant($"{signers[start]} ({start}-{end})"));
            start = end + 1;
        }

        return runs.Count == 0 ? "-" : string.Join(", ", runs);
    }

    private static string Short(string keyId) => keyId.Length > 16 ? keyId[..16] : keyId;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
