using EdgeGateway.Contracts.V1;
using EdgeGateway.Devices.Anpr.Hotlists;
using EdgeGateway.Testing;

namespace EdgeGateway.Tests.Devices.Anpr;

public sealed class HotlistHolderTests
{
    private static HotlistUpdate Snapshot(long version, params string[] vrms)
    {
        var update = new HotlistUpdate { Version = version, BaseVersion = 0, Part = 1, Parts = 1 };
        update.Upserts.AddRange(vrms.Select(v => new HotlistEntry { Vrm = v, List = $"v{version}", Reason = "r" }));
        return update;
    }

    private static HotlistUpdate Delta(long from, long to, string[] add, string[]? remove = null)
    {
        var update = new HotlistUpdate { Version = to, BaseVersion = from, Part = 1, Parts = 1 };
        update.Upserts.AddRange(add.Select(v => new HotlistEntry { Vrm = v, List = $"v{to}", Reason = "r" }));
        update.Removals.AddRange(remove ?? []);
        return update;
    }

    [Fact]
    public void Apply_DeltasAcrossARestart_ResumesFromTheSavedVersion()
    {
        using var dir = new TempDirectory();
        var holder = new HotlistHolder(dir.Path);
        Assert.Equal(HotlistApplyOutcome.Applied, holder.Apply(Snapshot(1, "AA11AAA", "BB22BBB")));
        Assert.Equal(HotlistApplyOutcome.Applied, holder.Apply(Delta(1, 2, ["CC33CCC"], ["AA11AAA"])));

        // Restart: a new holder on the same folder holds version 2 with its entries.
        var restarted = new HotlistHolder(dir.Path);
        var loaded = restarted.Load();
        Assert.Equal(2, loaded.Version);
        Assert.False(loaded.TryMatch("AA11AAA", FuzzyLevel.None, 0, out _));
        Assert.True(loaded.TryMatch("CC33CCC", FuzzyLevel.None, 0, out _));

        Assert.Equal(HotlistApplyOutcome.AlreadyHeld, restarted.Apply(Delta(1, 2, ["CC33CCC"]))); // redelivered
        Assert.Equal(HotlistApplyOutcome.Applied, restarted.Apply(Delta(2, 3, ["DD44DDD"])));
        Assert.Equal(3, new HotlistHolder(dir.Path).Load().Version);
    }

    [Fact]
    public void Apply_MissedVersion_IsAGapUntilASnapshotInPartsArrives()
    {
        using var dir = new TempDirectory();
        var holder = new HotlistHolder(dir.Path);
        holder.Apply(Snapshot(1, "AA11AAA"));
        Assert.Equal(HotlistApplyOutcome.Gap, holder.Apply(Delta(2, 3, ["EE55EEE"])));
        Assert.Equal(1, holder.Current.Version);

        var part1 = Snapshot(3, "AA11AAA", "BB22BBB");
        part1.Parts = 2;
        var part2 = Snapshot(3, "EE55EEE");
        part2.Part = 2;
        part2.Parts = 2;
        Assert.Equal(HotlistApplyOutcome.WaitingForParts, holder.Apply(part2));
        Assert.Equal(1, holder.Current.Version);

        // A restart between the parts keeps the part already received.
        var restarted = new HotlistHolder(dir.Path);
        restarted.Load();
        Assert.Equal(HotlistApplyOutcome.Applied, restarted.Apply(part1));
        Assert.Equal(3, restarted.Current.Version);
        Assert.Equal(3, restarted.Current.Count);
        Assert.DoesNotContain(Directory.EnumerateFiles(dir.Path, "*", SearchOption.AllDirectories), f => f.Contains("hotlist-parts", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_DamagedFile_IsMovedAsideAndVersionZeroAsksForASnapshot()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(Path.Combine(dir.Path, HotlistHolder.FileName), [0xFF, 0xFF, 0xFF, 0x01]);
        var holder = new HotlistHolder(dir.Path);
        Assert.Equal(0, holder.Load().Version);
        Assert.True(File.Exists(Path.Combine(dir.Path, HotlistHolder.FileName + ".damaged")));
    }

    [Fact]
    public async Task Apply_WhileMatchingConcurrently_EveryMatchSeesOneWholeVersion()
    {
        using var dir = new TempDirectory();
        var holder = new HotlistHolder(dir.Path);
        // Version N holds 200 VRMs, every entry listed as "vN": a torn swap would show another version's entry.
        static string[] Vrms(long version) => [.. Enumerable.Range(0, 200).Select(i => $"V{version % 10}X{i:000}")];
        holder.Apply(Snapshot(1, Vrms(1)));
        using var stop = new CancellationTokenSource();
        var torn = 0;
        long matches = 0;
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                var list = holder.Current;
                var expected = $"v{list.Version}";
                foreach (var vrm in Vrms(list.Version))
                {
                    if (!list.TryMatch(vrm, FuzzyLevel.None, 0, out var match) || match.List != expected)
                    {
                        Interlocked.Increment(ref torn);
                    }

                    Interlocked.Increment(ref matches);
                }
            }
        })).ToArray();

        for (var version = 2; version <= 30; version++)
        {
            Assert.Equal(HotlistApplyOutcome.Applied, holder.Apply(Snapshot(version, Vrms(version))));
        }

        await Eventually.TrueAsync(() => Interlocked.Read(ref matches) > 10_000, because: "the readers ran alongside the swaps");
        await stop.CancelAsync();
        await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal(0, torn);
        Assert.Equal(30, holder.Current.Version);
    }
}
