using System.Security.Cryptography;
using EdgeGateway.Contracts.Evidence;
using EdgeGateway.Contracts.Security;
using FleetControl.Hosting;
using Microsoft.Extensions.Options;

namespace FleetControl.Identity;

/// <summary>
/// Signs the vault's own custody entries (received, verified, stored) with FleetControl's custody key:
/// <c>{DataDirectory}/identity/custody.key</c> (ECDSA P-256, mode 0600, created on first use). The device CA
/// issues it a certificate for <see cref="SignerName"/> with the document-signing usage, renewed a month before it
/// ends; every one is kept in <see cref="IssuedCertificates"/>, so entries signed under an old one still verify.
/// </summary>
internal sealed class VaultCustodySigner : ICustodySigner
{
    /// <summary>The device name of the vault's entries and the common name of its custody certificate; no device may enrol under it.</summary>
    public const string SignerName = "fleetcontrol-vault";

    /// <summary>Extended key usage "document signing" (RFC 9336): the certificate vouches for custody entries, not for TLS.</summary>
    public const string DocumentSigningOid = "1.3.6.1.5.5.7.3.36";

    private static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);
    private readonly CertificateAuthority _authority;
    private readonly TimeProvider _time;
    private readonly string _keyPath;
    private readonly Lock _gate = new();
    private ECDsa? _key;
    private string? _keyId;
    private DateTimeOffset _certifiedUntil;

    public VaultCustodySigner(CertificateAuthority authority, IOptions<FleetControlOptions> fleet, TimeProvider time)
    {
        _authority = authority;
        _time = time;
        _keyPath = Path.Combine(CertificateAuthority.IdentityDirectory(fleet.Value), "custody.key");
    }

    /// <inheritdoc />
    public string KeyId
    {
        get
        {
            lock (_gate)
            {
                EnsureCertified();
                return _keyId!;
            }
        }
    }

    /// <inheritdoc />
    public byte[] SignHash(byte[] sha256)
    {
        lock (_gate)
        {
            EnsureCertified();
            return _key!.SignHash(sha256);
        }
    }

    /// <summary>The newest certificate issued for <paramref name="keyId"/> (PEM), for a receipt; null when there is none.</summary>
    public string? CertificatePemFor(string keyId) =>
        _authority.Issued.ForKey(keyId).OrderBy(c => c.NotAfter).LastOrDefault()?.ExportCertificatePem();

    private void EnsureCertified()
    {
        if (_key is null)
        {
            var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            if (File.Exists(_keyPath))
            {
                if (PrivateFile.IsTooOpen(_keyPath))
                {
                    throw new InvalidOperationException($"FleetControl's custody key {_keyPath} is readable by other users; chmod 600 it.");
                }

                key.ImportFromPem(File.ReadAllText(_keyPath));
            }
            else
            {
                Directory.CreateDirectory(Path.GetDirectoryName(_keyPath)!);
                PrivateFile.WriteAllText(_keyPath, key.ExportPkcs8PrivateKeyPem());
            }

            _key = key;
            _keyId = CustodyLink.KeyIdOf(key);
            _certifiedUntil = _authority.Issued.ForKey(_keyId).Select(c => new DateTimeOffset(c.NotAfter.ToUniversalTime())).DefaultIfEmpty().Max();
        }

        var now = _time.GetUtcNow();
        if (_certifiedUntil > now + RenewBefore)
        {
            return;
        }

        using var issued = _authority.Issue(SignerName, _key, now - TimeSpan.FromMinutes(5), now + TimeSpan.FromDays(365), clientAuth: false, DocumentSigningOid);
        _certifiedUntil = new DateTimeOffset(issued.NotAfter.ToUniversalTime());
    }
}
