using System.Security.Cryptography.X509Certificates;
using EdgeGateway.Contracts.Evidence;
using EdgeGateway.Contracts.Security;

namespace FleetControl.Identity;

/// <summary>
/// Every certificate the authority issued (and every valid one a device presented that it had issued before this
/// store existed), kept for good as <c>{identity}/certificates/{serial}.pem</c>: renewed, expired and revoked ones
/// included, so a custody entry signed years ago is still checked against the certificate of the key that signed
/// it. Public data (mode 0644); only the CA's signature on them is trusted, never the file's presence. Several
/// instances may share the folder (<see cref="IdentityOptions.CertificatesDirectory"/>): a key not known here is looked
/// for again among the files another instance wrote since.
/// </summary>
internal sealed class IssuedCertificates
{
    private readonly Lock _gate = new();
    private readonly Lazy<Dictionary<string, List<X509Certificate2>>> _byKey;
    private readonly HashSet<string> _serials = new(StringComparer.OrdinalIgnoreCase);

    /// <param name="identityDirectory">The authority's directory; certificates go to its <c>certificates</c> folder.</param>
    /// <param name="certificatesDirectory">Another folder for them instead (shared by several instances).</param>
    public IssuedCertificates(string identityDirectory, string? certificatesDirectory = null)
    {
        Directory = certificatesDirectory is { Length: > 0 } shared ? Path.GetFullPath(shared) : Path.Combine(identityDirectory, "certificates");
        _byKey = new Lazy<Dictionary<string, List<X509Certificate2>>>(Load, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Where the certificates are kept.</summary>
    public string Directory { get; }

    /// <summary>Keeps <paramref name="certificate"/> (its public part) unless it is already kept. Cheap for a known serial.</summary>
    public void Remember(X509Certificate2 certificate)
    {
        var byKey = _byKey.Value;
        lock (_gate)
        {
            if (!_serials.Add(certificate.SerialNumber))
            {
                return;
            }

            System.IO.Directory.CreateDirectory(Directory);
            PrivateFile.WritePublicText(Path.Combine(Directory, certificate.SerialNumber + ".pem"), certificate.ExportCertificatePem());
            Add(byKey, X509CertificateLoader.LoadCertificate(certificate.RawData));
        }
    }

    /// <summary>The certificates issued for the key with this id (<see cref="CustodyLink.KeyIdOf"/>), oldest first.</summary>
    public IReadOnlyList<X509Certificate2> ForKey(string keyId)
    {
        var byKey = _byKey.Value;
        lock (_gate)
        {
            if (byKey.TryGetValue(keyId, out var list))
            {
                return [.. list];
            }
        }

        LoadNew(byKey); // another instance may have issued it since
        lock (_gate)
        {
            return byKey.TryGetValue(keyId, out var list) ? [.. list] : [];
        }
    }

    private Dictionary<string, List<X509Certificate2>> Load()
    {
        var byKey = new Dictionary<string, List<X509Certificate2>>(StringComparer.Ordinal);
        LoadNew(byKey);
        return byKey;
    }

    /// <summary>Adds the certificates in files not read yet (named by serial).</summary>
    private void LoadNew(Dictionary<string, List<X509Certificate2>> byKey)
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return;
        }

        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*.pem"))
        {
            lock (_gate)
            {
                if (_serials.Contains(Path.GetFileNameWithoutExtension(file)))
                {
                    continue;
                }
            }

            X509Certificate2 certificate;
            try
            {
                using var pem = X509Certificate2.CreateFromPem(File.ReadAllText(file));
                certificate = X509CertificateLoader.LoadCertificate(pem.RawData);
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                continue; // not a certificate: it vouches for nothing, and verification names the key as unknown
            }

            lock (_gate)
            {
                if (_serials.Add(certificate.SerialNumber))
                {
                    Add(byKey, certificate);
                }
            }
        }
    }

    private static void Add(Dictionary<string, List<X509Certificate2>> byKey, X509Certificate2 certificate)
    {
        using var key = certificate.GetECDsaPublicKey();
        if (key is null)
        {
            return;
        }

        var id = CustodyLink.KeyIdOf(key);
        if (!byKey.TryGetValue(id, out var list))
        {
            byKey[id] = list = [];
        }

        list.Add(certificate);
        list.Sort((a, b) => a.NotBefore.CompareTo(b.NotBefore));
    }
}
