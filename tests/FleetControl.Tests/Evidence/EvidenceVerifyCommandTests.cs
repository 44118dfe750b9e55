using System.Text;
using FleetControl.Evidence;

namespace FleetControl.Tests.Evidence;

public sealed class EvidenceVerifyCommandTests
{
    private static async Task<(TempDirectory Dir, string Vault)> StoredItemAsync(string id)
    {
        var dir = new TempDirectory();
        var vaultDir = dir.Sub("vault");
        await using var vault = await VaultHost.StartAsync(vaultDir);
        using var client = new VaultClient(vault.Url);
        var data = VaultClient.RandomBytes(700_000, 11);
        var item = VaultClient.Item(id, data);
        await client.UploadAsync(item, data, VaultClient.DockChain(id, item.Sha256));
        return (dir, vaultDir);
    }

    private static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        // These chains come from a vault under the development override: unsigned (SignedCustodyTests covers signatures).
        var code = await EvidenceVerifyCommand.RunAsync([.. args, "--accept-unsigned"], output, error, TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Run_UnsignedChainWithoutAcceptUnsigned_FailsNamingEachEntry()
    {
        var (dir, vault) = await StoredItemAsync("ev-unsigned");
        using var _ = dir;
        var output = new StringWriter();
        var error = new StringWriter();

        var code = await EvidenceVerifyCommand.RunAsync(["ev-unsigned", "--vault", vault], output, error, TestContext.Current.CancellationToken);

        Assert.Equal(1, code);
        Assert.Contains("custody signature: entry 0 (captured): unsigned (format v2)", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("custody signature: entry 6 (stored): unsigned (format v2)", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_IntactItem_ExitsZeroWithSummary()
    {
        var (dir, vault) = await StoredItemAsync("ev-ok");
        using var _ = dir;

        var (code, output, _) = await RunAsync("ev-ok", "--vault", vault);

        Assert.Equal(0, code);
        Assert.StartsWith("OK ev-ok: 700000 bytes", output, StringComparison.Ordinal);
        Assert.Contains("captured > docked > copied > hashed > received > verified > stored", output, StringComparison.Ordinal);
        Assert.Contains("format v2 (", output, StringComparison.Ordinal);
        Assert.Contains("signed by unsigned (0-6)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_FileTampered_ReportsHashMismatch()
    {
        var (dir, vault) = await StoredItemAsync("ev-file");
        using var _ = dir;
        await using (var stream = new FileStream(Path.Combine(vault, "ev-file.mp4"), FileMode.Open, FileAccess.ReadWrite))
        {
            stream.Position = 1000;
            stream.WriteByte(0x42);
        }

        var (code, _, error) = await RunAsync("ev-file", "--vault", vault);

        Assert.Equal(1, code);
        Assert.Contains("file hash mismatch: receipt ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_CustodyEntryEdited_NamesEntryWithExpectedAndActualHash()
    {
        var (dir, vault) = await StoredItemAsync("ev-edit");
        using var _ = dir;
        var path = Path.Combine(vault, "ev-edit.custody.jsonl");
        var lines = File.ReadAllLines(path);
        lines[2] = lines[2].Replace("bytes=1", "bytes=2", StringComparison.Ordinal);
        File.WriteAllLines(path, lines, new UTF8Encoding(false));

        var (code, _, error) = await RunAsync("ev-edit", "--vault", vault);

        Assert.Equal(1, code);
        Assert.Matches("custody chain \\(format v2\\) broken at entry 2 \\(copied\\): hash \\(v2\\) expected [0-9a-f]{64}, actual [0-9a-f]{64}", error);
    }

    [Fact]
    public async Task Run_CustodyEntryRemoved_ReportsTheBrokenLink()
    {
        var (dir, vault) = await StoredItemAsync("ev-gap");
        using var _ = dir;
        var path = Path.Combine(vault, "ev-gap.custody.jsonl");
        var lines = File.ReadAllLines(path).ToList();
        lines.RemoveAt(1);
        File.WriteAllLines(path, lines, new UTF8Encoding(false));

        var (code, _, error) = await RunAsync("ev-gap", "--vault", vault);

        Assert.Equal(1, code);
        Assert.Contains("custody chain (format v2) broken at entry 1 (copied): sequence expected 1, actual 2", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_FileMissing_ReportsMissingFile()
    {
        var (dir, vault) = await StoredItemAsync("ev-gone");
        using var _ = dir;
        File.Delete(Path.Combine(vault, "ev-gone.mp4"));

        var (code, _, error) = await RunAsync("ev-gone", "--vault", vault);

        Assert.Equal(1, code);
        Assert.Contains("missing file: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_UnknownIdOrNoId_NonZero()
    {
        using var dir = new TempDirectory();

        var unknown = await RunAsync("ev-nope", "--vault", dir.Path);
        var usage = await RunAsync();

        Assert.Equal(1, unknown.Code);
        Assert.Contains("no receipt for ev-nope", unknown.Err, StringComparison.Ordinal);
        Assert.Equal(2, usage.Code);
    }
}
