using System.Diagnostics;
using System.Globalization;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Devices.Anpr.Hotlists;

namespace EdgeGateway.Benchmarks.Anpr;

/// <summary>
/// <c>hotlist-memory [--entries 1000000]</c>: the managed heap a hotlist of N entries keeps alive, against a
/// <c>HashSet&lt;string&gt;</c> of the same normalised VRMs (the baseline), plus the build time of each, in one run.
/// </summary>
internal static class HotlistMemoryHarness
{
    public static int Run(string[] args)
    {
        var entries = args is ["--entries", var n] ? int.Parse(n, CultureInfo.InvariantCulture) : 1_000_000;
        var vrms = HotlistMatchBenchmarks.UniquePlates(new Random(42), entries);
        string[] lists = ["stolen", "no-insurance", "wanted", "disqualified-driver"];
        var protos = vrms.Select((v, i) => new HotlistEntry { Vrm = v, List = lists[i % lists.Length], Reason = "Reason " + lists[i % lists.Length] }).ToList();

        var (set, setBytes, setTime) = Measure(() => new HashSet<string>(vrms.Select(v => new string(v)), StringComparer.Ordinal));
        var (hotlist, hotlistBytes, hotlistTime) = Measure(() => Hotlist.Build(1, protos));
        Console.WriteLine($"entries: {entries:N0}; HashSet<string> count {set.Count:N0}, hotlist count {hotlist.Count:N0}");
        Console.WriteLine($"HashSet<string> (baseline): {setBytes / 1048576.0:F1} MB retained, built in {setTime.TotalMilliseconds:F0} ms");
        Console.WriteLine($"Hotlist (packed table + details): {hotlistBytes / 1048576.0:F1} MB retained, built in {hotlistTime.TotalMilliseconds:F0} ms");
        Console.WriteLine($"ratio memory {hotlistBytes / (double)setBytes:F2}, build time {hotlistTime / setTime:F2}");
        GC.KeepAlive(set);
        GC.KeepAlive(hotlist);
        return 0;
    }

    private static (T Value, long Bytes, TimeSpan Time) Measure<T>(Func<T> build)
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var watch = Stopwatch.StartNew();
        var value = build();
        watch.Stop();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(value);
        return (value, after - before, watch.Elapsed);
    }
}
