using System.Security.Cryptography;
using EdgeGateway.Contracts.Evidence;
using EdgeGateway.Contracts.Security;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Hosting;
using EdgeGateway.Security;
using FleetControl.Hosting;
using FleetControl.Identity;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EdgeGateway.Tests.Security;

/// <summary>
/// The dock checks the signatures of the vault's custody entries (FleetControl's real custody signer and CA) before it
/// trusts a receipt; a hash chain alone could be recomputed by anyone answering as the vault.
/// </summary>
public sealed class VaultCustodyVerifierTests : IDisposable
{
    private const string Id = "ev-signed";
    private static readonly DateTimeOffset T0 = DateTimeOffset.UtcNow.AddMinutes(-1);
    private readonly TempDirectory _dir = new();
    private readonly CertificateAuthority _authority;
    private readonly VaultCustodySigner _vault;
    private readonly GatewayIdentity _dock;
    private readonly List<CustodyLink> _dockChain = [];

    public VaultCustodyVerifierTests()
    {
        (_authority, _vault) = Fleet(_dir.Sub("fleet"));
        _dock = new GatewayIdentity(
            Options.Create(new SecurityOptions { CaCertificateFile = _authority.RootFile }),
            Options.Create(new GatewayOptions { DeviceId = "dock-01", DataDirectory = _dir.Sub("dock") }),
            new FileDeviceKeyStore(_dir.Sub("dock-identity")));
        var signer = new DeviceCustodySigner(_dock.Keys);
        _dockChain.Add(CustodyLink.Create(Id, 0, T0, "captured", "BWV1", "PC1", "file=a.mp4", CustodyLink.GenesisHash, CustodyLink.SignedVersion, signer));
        _dockChain.Add(CustodyLink.Create(Id, 1, T0, "hashed", "dock-01", "dock", "sha256=00 size=1", _dockChain[^1].Hash, CustodyLink.SignedVersion, signer));
    }

    public void Dispose() => _dir.Dispose();

    private static (CertificateAuthority, VaultCustodySigner) Fleet(string directory)
    {
        var fleet = Options.Create(new FleetControlOptions { DataDirectory = directory });
        var authority = new CertificateAuthority(Options.Create(new IdentityOptions()), fleet, new FileEnrolmentRegistry(fleet, TimeProvider.System), TimeProvider.System, NullLogger<CertificateAuthority>.Instance);
        authority.EnsureLoaded();
        return (authority, new VaultCustodySigner(authority, fleet, TimeProvider.System));
    }

    /// <summary>The vault's three entries after the dock's, signed by <paramref name="signer"/>, with <paramref name="certificates"/>.</summary>
    private EvidenceReceipt Receipt(ICustodySigner? signer, params string?[] certificates)
    {
        var receipt = new EvidenceReceipt { EvidenceId = Id, Sha256 = "00", Size = 1 };
        var previous = _dockChain[^1].Hash;
        foreach (var (evt, i) in new[] { "received", "verified", "stored" }.Select((e, i) => (e, i)))
        {
            var entry = CustodyLink.Create(Id, (ulong)(_dockChain.Count + i), T0, evt, VaultCustodyVerifier.VaultSignerName, "vault", "x=1", previous,
                signer is null ? CustodyLink.CurrentVersion : CustodyLink.SignedVersion, signer);
            receipt.Custody.Add(entry.ToProto());
            previous = entry.Hash;
        }

        receipt.SignerCertificates.AddRange(certificates.OfType<string>());
        return receipt;
    }

    private string? Check(EvidenceReceipt receipt) => new VaultCustodyVerifier(_dock).Problem(Id, receipt, chainSigned: true);

    [Fact]
    public void Problem_SignedByTheVaultsCertifiedKey_None()
    {
        Assert.Null(Check(Receipt(_vault, _vault.CertificatePemFor(_vault.KeyId))));
    }

    [Fact]
    public void Problem_VaultEntryEditedAndRehashed_SignatureFails()
    {
        var receipt = Receipt(_vault, _vault.CertificatePemFor(_vault.KeyId));
        var stored = CustodyLink.FromProto(receipt.Custody[2]);
        var edited = stored with { Details = "file=someone-elses.mp4 size=1" };
        receipt.Custody[2] = (edited with { Hash = edited.ExpectedHash(Id)! }).ToProto();

        Assert.Contains("entry 4 (stored): the signature does not verify", Check(receipt), StringComparison.Ordinal);
    }

    [Fact]
    public void Problem_UnsignedVaultEntriesOnASignedChain_Refused()
    {
        Assert.Contains("not signed", Check(Receipt(signer: null)), StringComparison.Ordinal);
    }

    [Fact]
    public void Problem_NoCertificateForTheSigningKey_Refused()
    {
        Assert.Contains("carries no certificate", Check(Receipt(_vault)), StringComparison.Ordinal);
    }

    [Fact]
    public void Problem_SignedByADeviceCertificateOfTheSameCa_Refused()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var device = _authority.IssueDeviceCertificate("dock-02", DeviceCertificates.CreateSigningRequestPem("dock-02", key));

        Assert.Contains("signed by dock-02, not by fleetcontrol-vault", Check(Receipt(new KeySigner(key), device.ExportCertificatePem())), StringComparison.Ordinal);
    }

    [Fact]
    public void Problem_VaultCertificateFromAnotherCa_Refused()
    {
        var (_, impostor) = Fleet(_dir.Sub("impostor"));

        Assert.Contains("does not chain to the trusted CA", Check(Receipt(impostor, impostor.CertificatePemFor(impostor.KeyId))), StringComparison.Ordinal);
    }

    [Fact]
    public void Problem_UnsignedChainOrDevelopmentOverride_NothingToCheck()
    {
        var unsigned = Receipt(signer: null);

        Assert.Null(new VaultCustodyVerifier(_dock).Problem(Id, unsigned, chainSigned: false));
        Assert.Null(new VaultCustodyVerifier(GatewayIdentity.DevelopmentPlaintext("dock-01")).Problem(Id, unsigned, chainSigned: true));
    }

    private sealed class KeySigner(ECDsa key) : ICustodySigner
    {
        public string KeyId => CustodyLink.KeyIdOf(key);

        public byte[] SignHash(byte[] sha256) => key.SignHash(sha256);
    }
}
