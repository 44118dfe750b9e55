using EdgeGateway.Contracts.Evidence;
using EdgeGateway.Evidence;

namespace EdgeGateway.Tests.Evidence;

public sealed class CustodyLogTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Append_ThenReopen_ChainLinksAndHashesVerify()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "custody.jsonl");
        var log = CustodyLog.Open(path, "ev-1");
        log.Append(T0, "captured", "BWV1", "PC1", "file=a.mp4");
        log.Append(T0.AddSeconds(1), "docked", "dock-01", "dock", "bay=1");

        var reopened = CustodyLog.Open(path, "ev-1");

        Assert.Equal(2, reopened.Entries.Count);
        Assert.Equal(CustodyLink.GenesisHash, reopened.Entries[0].PreviousHash);
        Assert.Equal(reopened.Entries[0].Hash, reopened.Entries[1].PreviousHash);
        Assert.All(reopened.Entries, e => Assert.Equal(e.ExpectedHash("ev-1"), e.Hash));
        // The vault's verifier accepts the chain the dock wrote, after a round trip through the wire form.
        var vault = reopened.Entries.Select(e => CustodyLink.FromProto(e.ToProto())).ToList();
        Assert.Null(FleetControl.Evidence.CustodyChain.FindBreak("ev-1", vault));
    }

    [Fact]
    public void Open_TornLastLine_IsCutOffAndAppendContinuesTheChain()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "custody.jsonl");
        CustodyLog.Open(path, "ev-2").Append(T0, "captured", "BWV1", "PC1", "x");
        File.AppendAllText(path, "{\"sequence\":1,\"at\":\"20"); // power cut mid-append

        var log = CustodyLog.Open(path, "ev-2");
        log.Append(T0, "docked", "dock-01", "dock", "bay=1");

        var lines = File.ReadAllLines(path);
        Assert.Equal(2, lines.Length);
        Assert.Equal(2, CustodyLog.Open(path, "ev-2").Entries.Count);
    }

    [Fact]
    public void Open_WhileTheWriterIsMidEntry_ReadsTheWholeEntriesAndLeavesTheFileAsItIs()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "custody.jsonl");
        var writer = CustodyLog.Open(path, "ev-4");
        writer.Append(T0, "captured", "BWV1", "PC1", "x");
        var entry = CustodyLink.Create("ev-4", 1, T0, "docked", "dock-01", "dock", "bay=1", writer.HeadHash, signer: null);
        var line = System.Text.Json.JsonSerializer.Serialize(entry, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)) + "\n";
        File.AppendAllText(path, line[..20]); // the writer's entry, half way into the file
        var length = new FileInfo(path).Length;

        var reader = CustodyLog.Open(path, "ev-4"); // e.g. a status query, or a test polling the log

        Assert.Single(reader.Entries);
        Assert.Equal(length, new FileInfo(path).Length); // before: cut off, so the writer's entry lost its first 20 bytes
        File.AppendAllText(path, line[20..]); // the write completes
        Assert.Equal(["captured", "docked"], CustodyLog.Open(path, "ev-4").Entries.Select(e => e.Event));
    }

    [Fact]
    public void AppendVerified_EntryNotLinkedToHead_Throws()
    {
        using var dir = new TempDirectory();
        var log = CustodyLog.Open(Path.Combine(dir.Path, "c.jsonl"), "ev-3");
        log.Append(T0, "captured", "BWV1", "PC1", "x");
        var forged = new CustodyLink(1, "2026-11-23T09:00:00.0000000Z", "received", "vault", "vault", "x", new string('1', 64), "h");

        var e = Assert.Throws<InvalidDataException>(() => log.AppendVerified([forged]));

        Assert.Contains("does not continue the chain", e.Message, StringComparison.Ordinal);
        Assert.Single(log.Entries);
    }
}
