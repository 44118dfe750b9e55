using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using EdgeGateway.Contracts.Evidence;
using EdgeGateway.Evidence;

namespace EdgeGateway.Tests.Contracts;

/// <summary>The custody entry hash: an unambiguous version 2 encoding, and version 1 chains that still verify.</summary>
public sealed class CustodyLinkTests
{
    private const string At = "2026-11-23T09:00:00.0000000Z";

    /// <summary>Two different entries whose newline-joined text is the same: officer "PC1\ncategory=x" + details "y" vs officer "PC1" + details "category=x\ny".</summary>
    private static (string ActorA, string DetailsA, string ActorB, string DetailsB) SeparatorShift => ("PC1\ncategory=x", "y", "PC1", "category=x\ny");

    [Fact]
    public void ComputeHash_FieldContainingTheSeparator_CollidesInVersion1ButNotInVersion2()
    {
        var (actorA, detailsA, actorB, detailsB) = SeparatorShift;

        var v1a = CustodyLink.ComputeHash(CustodyLink.LegacyVersion, "ev-1", 0, At, "captured", "BWV1", actorA, detailsA, CustodyLink.GenesisHash);
        var v1b = CustodyLink.ComputeHash(CustodyLink.LegacyVersion, "ev-1", 0, At, "captured", "BWV1", actorB, detailsB, CustodyLink.GenesisHash);
        var v2a = CustodyLink.ComputeHash(CustodyLink.CurrentVersion, "ev-1", 0, At, "captured", "BWV1", actorA, detailsA, CustodyLink.GenesisHash);
        var v2b = CustodyLink.ComputeHash(CustodyLink.CurrentVersion, "ev-1", 0, At, "captured", "BWV1", actorB, detailsB, CustodyLink.GenesisHash);

        Assert.Equal(v1a, v1b); // the old ambiguity, shown
        Assert.NotEqual(v2a, v2b);
    }

    [Fact]
    public void ComputeHash_Version2_IsTheDocumentedLengthPrefixedEncoding()
    {
        Assert.Equal(
            LengthPrefixedSha256("edgegateway.custody.v2", "ev-1", "7", At, "copied", "dock-01", "dock", "bytes=10", CustodyLink.GenesisHash),
            CustodyLink.ComputeHash(2, "ev-1", 7, At, "copied", "dock-01", "dock", "bytes=10", CustodyLink.GenesisHash));
    }

    /// <summary>SHA-256 (hex) of each field as a 4-byte big-endian length and its UTF-8 bytes: the documented encoding, written out independently.</summary>
    internal static string LengthPrefixedSha256(params string[] fields)
    {
        using var expected = new MemoryStream();
        foreach (var f in fields)
        {
            var bytes = Encoding.UTF8.GetBytes(f);
            expected.Write([(byte)(bytes.Length >> 24), (byte)(bytes.Length >> 16), (byte)(bytes.Length >> 8), (byte)bytes.Length]);
            expected.Write(bytes);
        }

        return Convert.ToHexStringLower(SHA256.HashData(expected.ToArray()));
    }

    [Fact]
    public void FindBreak_Version1ChainFromBeforeVersions_StillVerifiesAndIsContinuedInVersion2()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "custody.jsonl");

        // Two lines exactly as the dock wrote them before versions existed (no "version" field).
        var h0 = CustodyLink.ComputeHash(1, "ev-old", 0, At, "captured", "BWV1", "PC1", "file=a.mp4", CustodyLink.GenesisHash);
        var h1 = CustodyLink.ComputeHash(1, "ev-old", 1, At, "docked", "dock-01", "dock", "bay=1", h0);
        File.WriteAllText(path, string.Create(CultureInfo.InvariantCulture,
            $"{{\"sequence\":0,\"at\":\"{At}\",\"event\":\"captured\",\"device\":\"BWV1\",\"actor\":\"PC1\",\"details\":\"file=a.mp4\",\"previousHash\":\"{CustodyLink.GenesisHash}\",\"hash\":\"{h0}\"}}\n" +
            $"{{\"sequence\":1,\"at\":\"{At}\",\"event\":\"docked\",\"device\":\"dock-01\",\"actor\":\"dock\",\"details\":\"bay=1\",\"previousHash\":\"{h0}\",\"hash\":\"{h1}\"}}\n"));

        var log = CustodyLog.Open(path, "ev-old");
        log.Append(DateTimeOffset.Parse(At, CultureInfo.InvariantCulture), "copied", "dock-01", "dock", "bytes=10");

        var chain = CustodyLog.Open(path, "ev-old").Entries;
        Assert.Equal([1, 1, 2], chain.Select(e => e.Version).ToArray());
        Assert.Null(CustodyLink.FindBreak("ev-old", chain));
        Assert.Equal("v1 (2) + v2 (1)", CustodyLink.DescribeVersions(chain));
        // And through the wire form (version 0 from an old sender reads as 1).
        Assert.Null(CustodyLink.FindBreak("ev-old", chain.Select(e => CustodyLink.FromProto(e.ToProto())).ToList()));
    }

    [Fact]
    public void FindBreak_EditedFieldOrVersionStepBackOrUnknownVersion_Named()
    {
        var a = CustodyLink.Create("ev-2", 0, DateTimeOffset.UnixEpoch, "captured", "BWV1", "PC1", "x", CustodyLink.GenesisHash);
        var b = CustodyLink.Create("ev-2", 1, DateTimeOffset.UnixEpoch, "docked", "dock-01", "dock", "bay=1", a.Hash);
        Assert.Null(CustodyLink.FindBreak("ev-2", [a, b]));

        var (actorA, detailsA, actorB, detailsB) = SeparatorShift;
        var shifted = CustodyLink.Create("ev-2", 0, DateTimeOffset.UnixEpoch, "captured", "BWV1", actorA, detailsA, CustodyLink.GenesisHash);
        Assert.Contains("hash (v2)", CustodyLink.FindBreak("ev-2", [shifted with { Actor = actorB, Details = detailsB }]), StringComparison.Ordinal);

        // A version 1 entry after a version 2 one: refused, even with a correct v1 hash.
        var legacy = new CustodyLink(1, b.At, "docked", "dock-01", "dock", "bay=1", a.Hash,
            CustodyLink.ComputeHash(1, "ev-2", 1, b.At, "docked", "dock-01", "dock", "bay=1", a.Hash), 1);
        Assert.Contains("format version 1 after version 2", CustodyLink.FindBreak("ev-2", [a, legacy]), StringComparison.Ordinal);
        Assert.Contains("unknown format version 9", CustodyLink.FindBreak("ev-2", [a with { Version = 9 }]), StringComparison.Ordinal);
    }
}
