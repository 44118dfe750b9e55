using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using EdgeGateway.Contracts.Evidence;
using FleetControl.Auth;
using FleetControl.Evidence;
using FleetControl.Tests.Evidence;
using FleetControl.Tests.Infrastructure;
using Grpc.Core;

namespace FleetControl.Tests.Identity;

/// <summary>
/// Signed custody, attacked as someone who can write the vault's files would: a chain edited and re-hashed end to
/// end, a chain stripped of its signatures and re-hashed as unsigned, an entry signed after the device was
/// revoked, a chain signed with another device's key. Each fails if signature checking is removed.
/// </summary>
public sealed class SignedCustodyTests : IAsyncLifetime
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly TempDirectory _data = new();
    private FleetControlInstance _fleet = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Vault => Path.Combine(_data.Path, "vault");

    private string IdentityDirectory => Path.Combine(_data.Path, "identity");

    public async ValueTask InitializeAsync() =>
        _fleet = await FleetControlInstance.StartAsync(_data.Path, FreePort.Next(), "--Identity:DevelopmentPlaintext=false", $"--Evidence:VaultDirectory={_data.Sub("vault")}");

    public async ValueTask DisposeAsync()
    {
        await _fleet.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task Verify_SignedChain_OkNamingEachSigner_ThenEditedAndFullyRehashed_FailsNamingTheEntry()
    {
        using var dock = await EnrolledDevice.EnrolAsync(_fleet, "dock-01");
        await UploadSignedAsync(dock, "ev-sig");

        var (code, output, error) = await VerifyAsync("ev-sig");
        Assert.True(code == 0, error);
        Assert.Contains("format v3", output, StringComparison.Ordinal);
        Assert.Contains("signed by dock-01 (0-3), fleetcontrol-vault (4-6)", output, StringComparison.Ordinal);
        Assert.True((await VerifyOverRestAsync("ev-sig")).GetProperty("ok").GetBoolean());

        // The officer on entry 0 changed, and every hash after it recomputed: hashes and links all hold again.
        var chain = ReadChain("ev-sig");
        chain[0] = chain[0] with { Actor = "PC9999" };
        WriteChain("ev-sig", Rehash("ev-sig", chain, keepVersion: true));
        Assert.Null(CustodyLink.FindBreak("ev-sig", ReadChain("ev-sig")));

        (code, _, error) = await VerifyAsync("ev-sig");
        Assert.Equal(1, code);
        Assert.DoesNotContain("broken at", error, StringComparison.Ordinal);
        Assert.Contains("custody signature: entry 0 (captured): signature does not verify against dock-01's certificate", error, StringComparison.Ordinal);
        var rest = await VerifyOverRestAsync("ev-sig");
        Assert.False(rest.GetProperty("ok").GetBoolean());
        Assert.Contains(rest.GetProperty("problems").EnumerateArray(), p => p.GetString()!.Contains("entry 0 (captured): signature does not verify", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Verify_SignaturesStrippedAndRehashedAsUnsigned_FailsNamingEveryEntry()
    {
        using var dock = await EnrolledDevice.EnrolAsync(_fleet, "dock-01");
        await UploadSignedAsync(dock, "ev-strip");

        var chain = ReadChain("ev-strip");
        chain[0] = chain[0] with { Actor = "PC9999" };
        WriteChain("ev-strip", Rehash("ev-strip", chain, keepVersion: false));

        var (code, _, error) = await VerifyAsync("ev-strip");
        Assert.Equal(1, code);
        Assert.Contains("entry 0 (captured): unsigned (format v2)", error, StringComparison.Ordinal);
        Assert.Contains("entry 6 (stored): unsigned (format v2)", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_AfterRevocation_OldEntriesStillVerify_AnEntrySignedAfterItFails()
    {
        using var dock = await EnrolledDevice.EnrolAsync(_fleet, "dock-01");
        await UploadSignedAsync(dock, "ev-rev");
        using (var revoke = await _fleet.Http.PostAsync("/api/devices/dock-01/revoke", null, Ct))
        {
            revoke.EnsureSuccessStatusCode();
        }

        var (code, _, error) = await VerifyAsync("ev-rev");
        Assert.True(code == 0, error);

        // The stolen key keeps signing after the revocation: that entry is refused, by name.
        var chain = ReadChain("ev-rev");
        using var key = dock.Certificate.GetECDsaPrivateKey()!;
        chain.Add(CustodyLink.Create("ev-rev", (ulong)chain.Count, DateTimeOffset.UtcNow.AddHours(1), "wiped", "dock-01", "dock", "x", chain[^1].Hash, signer: new KeySigner(key)));
        WriteChain("ev-rev", chain);

        (code, _, error) = await VerifyAsync("ev-rev");
        Assert.Equal(1, code);
        Assert.Contains("entry 7 (wiped): signed by dock-01's key after its certificate", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_ChainSignedWithAnotherDevicesKey_Refused()
    {
        using var dock = await EnrolledDevice.EnrolAsync(_fleet, "dock-01");
        using var other = await EnrolledDevice.EnrolAsync(_fleet, "dock-02");
        var data = VaultClient.RandomBytes(50_000, 21);
        var item = VaultClient.Item("ev-forged", data);
        using var otherKey = other.Certificate.GetECDsaPrivateKey()!;
        using var client = new VaultClient(dock.Channel(_fleet));

        var refused = await Assert.ThrowsAsync<RpcException>(() => client.UploadAsync(item, data, SignedDockChain("ev-forged", item.Sha256, new KeySigner(otherKey))));

        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("signed by dock-02's key, but only dock-01 may sign it", refused.Status.Detail, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Vault, "ev-forged.custody.jsonl")));
    }

    private async Task UploadSignedAsync(EnrolledDevice dock, string id)
    {
        var data = VaultClient.RandomBytes(50_000, 20);
        var item = VaultClient.Item(id, data);
        using var key = dock.Certificate.GetECDsaPrivateKey()!;
        using var client = new VaultClient(dock.Channel(_fleet));
        var receipt = await client.UploadAsync(item, data, SignedDockChain(id, item.Sha256, new KeySigner(key)));
        Assert.All(receipt.Custody, e => Assert.Equal((uint)CustodyLink.SignedVersion, e.Version));
    }

    /// <summary>captured (the camera's entry, attested by the dock), docked, copied, hashed: all signed by <paramref name="signer"/>.</summary>
    private static List<CustodyLink> SignedDockChain(string id, string sha256, ICustodySigner signer)
    {
        var chain = new List<CustodyLink>();
        var at = DateTimeOffset.UtcNow.AddMinutes(-1);
        foreach (var (evt, device, details) in new[] { ("captured", "BWV1", "file=a.mp4"), ("docked", "dock-01", "bay=1"), ("copied", "dock-01", "bytes=1"), ("hashed", "dock-01", "sha256=" + sha256 + " size=1") })
        {
            chain.Add(CustodyLink.Create(id, (ulong)chain.Count, at, evt, device, "PC1", details, chain.Count == 0 ? CustodyLink.GenesisHash : chain[^1].Hash, signer: signer));
        }

        return chain;
    }

    /// <summary>Recomputes every hash and link, keeping each entry's signer and signature (or dropping both, as version 2).</summary>
    private static List<CustodyLink> Rehash(string id, List<CustodyLink> chain, bool keepVersion)
    {
        var result = new List<CustodyLink>();
        foreach (var e in chain)
        {
            var previous = result.Count == 0 ? CustodyLink.GenesisHash : result[^1].Hash;
            var version = keepVersion ? e.Version : CustodyLink.CurrentVersion;
            var signer = keepVersion ? e.Signer : null;
            var hash = CustodyLink.ComputeHash(version, id, e.Sequence, e.At, e.Event, e.Device, e.Actor, e.Details, previous, signer);
            result.Add(e with { PreviousHash = previous, Hash = hash, Version = version, Signer = signer, Signature = keepVersion ? e.Signature : null });
        }

        return result;
    }

    private List<CustodyLink> ReadChain(string id) => CustodyChain.Read(Path.Combine(Vault, id + ".custody.jsonl"));

    private void WriteChain(string id, List<CustodyLink> chain) =>
        File.WriteAllText(Path.Combine(Vault, id + ".custody.jsonl"), string.Concat(chain.Select(e => JsonSerializer.Serialize(e, Json) + "\n")), new UTF8Encoding(false));

    private async Task<(int Code, string Out, string Err)> VerifyAsync(string id, params string[] extra)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await EvidenceVerifyCommand.RunAsync([id, "--vault", Vault, "--identity", IdentityDirectory, .. extra], output, error, Ct);
        return (code, output.ToString(), error.ToString());
    }

    private async Task<JsonElement> VerifyOverRestAsync(string id)
    {
        using var officer = _fleet.ClientFor(Roles.EvidenceOfficer);
        var body = await officer.GetFromJsonAsync<JsonElement>($"/api/evidence/{id}?verify=true", Ct);
        return body.GetProperty("verification");
    }
}
