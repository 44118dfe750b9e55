using System.Security.Cryptography;
using EdgeGateway.Contracts.Evidence;
using EdgeGateway.Evidence;
using EdgeGateway.Security;

namespace EdgeGateway.Tests.Evidence;

/// <summary>The gateway's custody entries are signed with the device key, through the key store.</summary>
public sealed class SignedCustodyLogTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Append_WithDeviceSigner_WritesVersion3EntriesTheDeviceKeyVerifies_AndSurvivesReopen()
    {
        using var dir = new TempDirectory();
        var keys = new FileDeviceKeyStore(dir.Sub("identity"));
        var path = Path.Combine(dir.Path, "custody.jsonl");
        var log = CustodyLog.Open(path, "ev-1", new DeviceCustodySigner(keys));

        log.Append(T0, "captured", "BWV1", "PC1", "file=a.mp4");
        log.Append(T0, "docked", "dock-01", "dock", "bay=1");

        var chain = CustodyLog.Open(path, "ev-1").Entries;
        Assert.All(chain, e => Assert.Equal(CustodyLink.SignedVersion, e.Version));
        Assert.Null(CustodyLink.FindBreak("ev-1", chain));
        var key = keys.GetOrCreateKey();
        Assert.All(chain, e => Assert.Equal(CustodyLink.KeyIdOf(key), e.Signer));
        Assert.All(chain, e => Assert.True(e.VerifySignature("ev-1", key)));
        Assert.All(chain, e => Assert.True(CustodyLink.FromProto(e.ToProto()).VerifySignature("ev-1", key)));
    }

    [Fact]
    public void VerifySignature_EditedAndRehashed_OrAnotherKey_False()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var entry = CustodyLink.Create("ev-2", 0, T0, "captured", "BWV1", "PC1", "x", CustodyLink.GenesisHash, signer: new Signer(key));
        var edited = entry with { Actor = "PC2" };
        edited = edited with { Hash = edited.ExpectedHash("ev-2")! };

        Assert.True(entry.VerifySignature("ev-2", key));
        Assert.Null(CustodyLink.FindBreak("ev-2", [edited])); // the hash alone cannot tell
        Assert.False(edited.VerifySignature("ev-2", key));
        Assert.False(entry.VerifySignature("ev-2", other));
        Assert.False(entry.VerifySignature("ev-3", key));
        Assert.Contains("without a signer or signature", CustodyLink.FindBreak("ev-2", [entry with { Signature = null }]), StringComparison.Ordinal);
    }

    [Fact]
    public void ComputeHash_Version3_IsVersion2sEncodingWithItsTagAndTheSignerLast()
    {
        Assert.Equal(
            Contracts.CustodyLinkTests.LengthPrefixedSha256("edgegateway.custody.v3", "ev-1", "7", "2026-11-23T09:00:00.0000000Z", "copied", "dock-01", "dock", "bytes=10", CustodyLink.GenesisHash, "ab12"),
            CustodyLink.ComputeHash(3, "ev-1", 7, "2026-11-23T09:00:00.0000000Z", "copied", "dock-01", "dock", "bytes=10", CustodyLink.GenesisHash, "ab12"));
    }

    private sealed class Signer(ECDsa key) : ICustodySigner
    {
        public string KeyId => CustodyLink.KeyIdOf(key);

        public byte[] SignHash(byte[] sha256) => key.SignHash(sha256);
    }
}
