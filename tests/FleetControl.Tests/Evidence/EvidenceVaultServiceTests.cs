using EdgeGateway.Contracts.Evidence;
using EdgeGateway.Contracts.V1;
using FleetControl.Evidence;
using Grpc.Core;

namespace FleetControl.Tests.Evidence;

public sealed class EvidenceVaultServiceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Upload_CompleteItem_ReceiptWithVaultHashAndContinuedChain()
    {
        using var dir = new TempDirectory();
        await using var vault = await VaultHost.StartAsync(dir.Sub("vault"));
        using var client = new VaultClient(vault.Url);
        var data = VaultClient.RandomBytes(3_000_000, 1);
        var item = VaultClient.Item("ev-one", data);

        var receipt = await client.UploadAsync(item, data, VaultClient.DockChain("ev-one", item.Sha256));

        Assert.Equal(item.Sha256, receipt.Sha256);
        Assert.Equal((ulong)data.Length, receipt.Size);
        Assert.Equal(["received", "verified", "stored"], receipt.Custody.Select(c => c.Event).ToArray());
        Assert.Equal(data, File.ReadAllBytes(Path.Combine(vault.Directory, "ev-one.mp4")));
        Assert.Empty(Directory.GetFiles(vault.Directory, "*.partial"));
        var chain = CustodyChain.Read(Path.Combine(vault.Directory, "ev-one.custody.jsonl"));
        Assert.Equal(7, chain.Count);
        Assert.Null(CustodyChain.FindBreak("ev-one", chain));
    }

    [Fact]
    public async Task Upload_ChainFromADockThatPredatesVersions_VaultContinuesInVersion1SoThatDockAcceptsIt()
    {
        using var dir = new TempDirectory();
        await using var vault = await VaultHost.StartAsync(dir.Sub("vault"));
        using var client = new VaultClient(vault.Url);
        var data = VaultClient.RandomBytes(400_000, 5);
        var item = VaultClient.Item("ev-old-dock", data);
        var legacy = new List<CustodyLink>();
        foreach (var link in VaultClient.DockChain("ev-old-dock", item.Sha256))
        {
            var previous = legacy.Count == 0 ? CustodyLink.GenesisHash : legacy[^1].Hash;
            legacy.Add(CustodyLink.Create("ev-old-dock", link.Sequence, DateTimeOffset.Parse(link.At, System.Globalization.CultureInfo.InvariantCulture), link.Event, link.Device, link.Actor, link.Details, previous, CustodyLink.LegacyVersion));
        }

        var receipt = await client.UploadAsync(item, data, legacy);

        Assert.All(receipt.Custody, e => Assert.Equal(1u, e.Version));
        // What an old dock checks: each vault entry hashes as version 1 and links to its chain.
        var chain = legacy.Concat(receipt.Custody.Select(CustodyLink.FromProto)).ToList();
        Assert.Null(CustodyLink.FindBreak("ev-old-dock", chain));
        Assert.All(chain, e => Assert.Equal(CustodyLink.ComputeHash(1, "ev-old-dock", e.Sequence, e.At, e.Event, e.Device, e.Actor, e.Details, e.PreviousHash), e.Hash));
    }

    [Fact]
    public async Task Upload_Repeated_ReturnsTheSameReceipt()
    {
        using var dir = new TempDirectory();
        await using var vault = await VaultHost.StartAsync(dir.Sub("vault"));
        using var client = new VaultClient(vault.Url);
        var data = VaultClient.RandomBytes(500_000, 2);
        var item = VaultClient.Item("ev-twice", data);
        var chain = VaultClient.DockChain("ev-twice", item.Sha256);

        var first = await client.UploadAsync(item, data, chain);
        var second = await client.UploadAsync(item, data, chain);
        var offset = await client.Client.GetUploadOffsetAsync(new UploadOffsetRequest { EvidenceId = "ev-twice" }, cancellationToken: Ct);

        Assert.Equal(first, second);
        Assert.True(offset.Complete);
        Assert.Equal(first, offset.Receipt);
    }

    [Fact]
    public async Task Upload_CorruptChunk_RejectedWithDataLossKeepingGoodPrefixForResume()
    {
        using var dir = new TempDirectory();
        await using var vault = await VaultHost.StartAsync(dir.Sub("vault"));
        using var client = new VaultClient(vault.Url);
        var data = VaultClient.RandomBytes(1_048_576, 3);
        var item = VaultClient.Item("ev-flip", data);
        var chain = VaultClient.DockChain("ev-flip", item.Sha256);

        var e = await Assert.ThrowsAsync<RpcException>(() => client.UploadAsync(item, data, chain, corruptAt: 524_288));
        Assert.Equal(StatusCode.DataLoss, e.StatusCode);
        Assert.Contains("CRC32C", e.Status.Detail, StringComparison.Ordinal);

        var held = await client.Client.GetUploadOffsetAsync(new UploadOffsetRequest { EvidenceId = "ev-flip" }, cancellationToken: Ct);
        Assert.Equal(524_288UL, held.Offset);
        var receipt = await client.UploadAsync(item, data, chain, from: (long)held.Offset);
        Assert.Equal(item.Sha256, receipt.Sha256);
    }

    [Fact]
    public async Task Upload_InterruptedThenVaultRestarted_ResumesFromDurablePartialOffset()
    {
        using var dir = new TempDirectory();
        var vaultDir = dir.Sub("vault");
        var data = VaultClient.RandomBytes(2_000_000, 4);
        var item = VaultClient.Item("ev-resume", data);
        await using (var vault = await VaultHost.StartAsync(vaultDir))
        {
            using var client = new VaultClient(vault.Url);
            // The dock goes away after 1 MiB (no trailer): the vault keeps what it has.
            var e = await Assert.ThrowsAsync<RpcException>(() => client.UploadAsync(item, data, custody: null, until: 1_048_576));
            Assert.Equal(StatusCode.Aborted, e.StatusCode);
        }

        Assert.True(File.Exists(Path.Combine(vaultDir, "ev-resume.partial")));
        await using (var vault = await VaultHost.StartAsync(vaultDir))
        {
            using var client = new VaultClient(vault.Url);
            var held = await client.Client.GetUploadOffsetAsync(new UploadOffsetRequest { EvidenceId = "ev-resume" }, cancellationToken: Ct);
            Assert.Equal(1_048_576UL, held.Offset);
            using (var prober = new VaultClient(vault.Url))
            {
                // On its own channel: the vault answers this one early and resets its stream.
                var wrongStart = await Assert.ThrowsAsync<RpcException>(() => prober.UploadAsync(item, data, VaultClient.DockChain("ev-resume", item.Sha256), from: 0));
                Assert.Equal(StatusCode.FailedPrecondition, wrongStart.StatusCode);
            }

            var receipt = await client.UploadAsync(item, data, VaultClient.DockChain("ev-resume", item.Sha256), from: 1_048_576);
            Assert.Equal(item.Sha256, receipt.Sha256);
        }
    }

    [Fact]
    public async Task Upload_BytesNotMatchingDeclaredHash_RejectedAndDiscarded()
    {
        using var dir = new TempDirectory();
        await using var vault = await VaultHost.StartAsync(dir.Sub("vault"));
        using var client = new VaultClient(vault.Url);
        var data = VaultClient.RandomBytes(100_000, 5);
        var item = VaultClient.Item("ev-liar", data);
        item.Sha256 = new string('a', 64);

        var e = await Assert.ThrowsAsync<RpcException>(() => client.UploadAsync(item, data, VaultClient.DockChain("ev-liar", item.Sha256)));

        Assert.Equal(StatusCode.DataLoss, e.StatusCode);
        Assert.Empty(Directory.GetFiles(vault.Directory, "ev-liar*"));
    }

    [Fact]
    public async Task Upload_BrokenCustodyChain_RejectedNamingTheEntry()
    {
        using var dir = new TempDirectory();
        await using var vault = await VaultHost.StartAsync(dir.Sub("vault"));
        using var client = new VaultClient(vault.Url);
        var data = VaultClient.RandomBytes(100_000, 6);
        var item = VaultClient.Item("ev-chain", data);
        var chain = VaultClient.DockChain("ev-chain", item.Sha256);
        chain[1] = chain[1] with { Details = "bay=7" }; // edited after hashing

        var e = await Assert.ThrowsAsync<RpcException>(() => client.UploadAsync(item, data, chain));

        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("entry 1 (docked): hash (v2) expected", e.Status.Detail, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(vault.Directory, "ev-chain.receipt.json")));
    }

    [Fact]
    public async Task AppendCustody_ContinuesChainIdempotentlyAndRejectsForgedLinks()
    {
        using var dir = new TempDirectory();
        await using var vault = await VaultHost.StartAsync(dir.Sub("vault"));
        using var client = new VaultClient(vault.Url);
        var data = VaultClient.RandomBytes(10_000, 7);
        var item = VaultClient.Item("ev-append", data);
        var chain = VaultClient.DockChain("ev-append", item.Sha256);
        var receipt = await client.UploadAsync(item, data, chain);
        chain.AddRange(receipt.Custody.Select(CustodyLink.FromProto));
        chain.Add(VaultClient.Next("ev-append", chain, "uploaded"));
        chain.Add(VaultClient.Next("ev-append", chain, "wiped"));
        var request = new AppendCustodyRequest { EvidenceId = "ev-append" };
        request.Entries.AddRange(chain.Skip(7).Select(c => c.ToProto()));

        var reply = await client.Client.AppendCustodyAsync(request, cancellationToken: Ct);
        var again = await client.Client.AppendCustodyAsync(request, cancellationToken: Ct);

        Assert.Equal(9UL, reply.Length);
        Assert.Equal(9UL, again.Length);
        Assert.Equal(chain[^1].Hash, again.HeadHash);
        var forged = new AppendCustodyRequest { EvidenceId = "ev-append" };
        forged.Entries.Add((chain[^1] with { Sequence = 9, PreviousHash = chain[^2].Hash, Hash = "00" }).ToProto());
        var e = await Assert.ThrowsAsync<RpcException>(() => client.Client.AppendCustodyAsync(forged, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
    }
}
