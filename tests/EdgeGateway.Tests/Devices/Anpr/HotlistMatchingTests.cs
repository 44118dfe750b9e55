using EdgeGateway.Contracts.V1;
using EdgeGateway.Devices.Anpr.Hotlists;

namespace EdgeGateway.Tests.Devices.Anpr;

public sealed class HotlistMatchingTests
{
    private static HotlistEntry Entry(string vrm, string list = "stolen") => new() { Vrm = vrm, List = list, Reason = "r" };

    private static readonly Hotlist List = Hotlist.Build(1, [Entry("AB12CDE"), Entry("XY05ZZZ", "insurance"), Entry("GS61OIB", "wanted")]);

    [Theory]
    [InlineData("AB12CDE", FuzzyLevel.None, "AB12CDE", "exact")]
    [InlineData("ab12 cde", FuzzyLevel.None, "AB12CDE", "exact")]
    [InlineData("AB-12 CDE", FuzzyLevel.Ocr, "AB12CDE", "exact")]
    [InlineData("A812CDE", FuzzyLevel.Ocr, "AB12CDE", "fuzzy")]   // B read as 8
    [InlineData("ABI2CDE", FuzzyLevel.Ocr, "AB12CDE", "fuzzy")]   // 1 read as I
    [InlineData("XYO5ZZZ", FuzzyLevel.Ocr, "XY05ZZZ", "fuzzy")]   // 0 read as O
    [InlineData("XY0SZZZ", FuzzyLevel.Ocr, "XY05ZZZ", "fuzzy")]   // 5 read as S
    [InlineData("XY05222", FuzzyLevel.Ocr, "XY05ZZZ", "fuzzy")]   // Z read as 2
    [InlineData("6S61OIB", FuzzyLevel.Ocr, "GS61OIB", "fuzzy")]   // G read as 6
    [InlineData("G561018", FuzzyLevel.Ocr, "GS61OIB", "fuzzy")]   // every confusion at once
    public void TryMatch_ConfusionTable_MatchesTheEntry(string read, FuzzyLevel level, string entry, string kind)
    {
        Assert.True(List.TryMatch(read, level, 0, out var match));
        Assert.Equal(entry, match.EntryVrm);
        Assert.Equal(kind, match.Kind);
    }

    [Theory]
    [InlineData("A812CDE", FuzzyLevel.None)]  // a confusion without fuzzy matching
    [InlineData("AB12CD3", FuzzyLevel.Ocr)]   // E/3 is not a confusion
    [InlineData("AB12CD", FuzzyLevel.Ocr)]    // shorter
    [InlineData("AB12CDEE", FuzzyLevel.Ocr)]  // longer
    [InlineData("AB12CD!", FuzzyLevel.Ocr)]   // not a plate
    [InlineData("", FuzzyLevel.Ocr)]
    [InlineData("ABCDEFGHIJK", FuzzyLevel.Ocr)] // 11 characters
    public void TryMatch_NotOnTheList_NoMatch(string read, FuzzyLevel level) =>
        Assert.False(List.TryMatch(read, level, 0, out _));

    [Fact]
    public void TryMatch_ExpiredEntry_NoMatch()
    {
        var entry = Entry("AB12CDE");
        entry.ExpiresAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(1000));
        var list = Hotlist.Build(1, [entry]);
        Assert.True(list.TryMatch("AB12CDE", FuzzyLevel.Ocr, 999, out _));
        Assert.False(list.TryMatch("AB12CDE", FuzzyLevel.Ocr, 1000, out _));
    }

    [Fact]
    public void Build_UnusableVrm_IsCountedNotMatched()
    {
        var list = Hotlist.Build(1, [Entry("AB12CDE"), Entry("NOT A PLATE!"), Entry("")]);
        Assert.Equal(1, list.Count);
        Assert.Equal(2, list.Rejected);
    }

    [Fact]
    public void TryMatch_HitAndMiss_AllocateNothing()
    {
        var list = Hotlist.Build(1, Enumerable.Range(0, 10_000).Select(i => Entry($"AB{i:0000}X")));
        Assert.True(list.TryMatch("AB0042X", FuzzyLevel.Ocr, 0, out _));
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            list.TryMatch("AB0042X", FuzzyLevel.Ocr, 0, out _);
            list.TryMatch("ZZ99ZZZ", FuzzyLevel.Ocr, 0, out _);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Apply_Delta_UpsertsAndRemoves()
    {
        var update = new HotlistUpdate { Version = 2, BaseVersion = 1 };
        update.Upserts.Add(Entry("NEW1", "wanted"));
        update.Upserts.Add(Entry("AB12CDE", "changed"));
        update.Removals.Add("XY05ZZZ");
        var next = List.Apply(update);
        Assert.Equal(2, next.Version);
        Assert.Equal(3, next.Count);
        Assert.True(next.TryMatch("AB12CDE", FuzzyLevel.None, 0, out var changed));
        Assert.Equal("changed", changed.List);
        Assert.False(next.TryMatch("XY05ZZZ", FuzzyLevel.Ocr, 0, out _));
        Assert.True(next.TryMatch("NEW1", FuzzyLevel.None, 0, out _));
        Assert.True(List.TryMatch("XY05ZZZ", FuzzyLevel.None, 0, out _)); // the old version is untouched
    }
}
