using BenchmarkDotNet.Attributes;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Devices.Anpr.Hotlists;

namespace EdgeGateway.Benchmarks.Anpr;

/// <summary>
/// Hotlist matching with 1,000,000 entries, per read (<c>OperationsPerInvoke</c>): the gateway's packed table
/// (exact, and exact plus OCR-fuzzy) against a <c>HashSet&lt;string&gt;</c> lookup of the already-normalised VRM.
/// Reads are as cameras send them ("AB12 CDE"), half on the list; the matcher normalises them itself, the baseline
/// is handed normalised strings (so the baseline does less work).
/// </summary>
[MemoryDiagnoser]
public class HotlistMatchBenchmarks
{
    private const int Entries = 1_000_000;
    private const int Reads = 1024;

    private Hotlist _hotlist = null!;
    private HashSet<string> _set = null!;
    private string[] _reads = [];
    private string[] _normalised = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        var vrms = UniquePlates(random, Entries + Reads);
        _hotlist = Hotlist.Build(1, vrms.Take(Entries).Select(v => new HotlistEntry { Vrm = v, List = "stolen", Reason = "r" }));
        _set = new HashSet<string>(vrms.Take(Entries), StringComparer.Ordinal);
        // Half the reads are on the list, half are not.
        _normalised = [.. Enumerable.Range(0, Reads).Select(i => i % 2 == 0 ? vrms[random.Next(Entries)] : vrms[Entries + i])];
        _reads = [.. _normalised.Select(v => $"{v[..4]} {v[4..]}")];
    }

    /// <summary>Distinct current-format UK marks (AB12CDE), as normalised strings.</summary>
    internal static string[] UniquePlates(Random random, int count)
    {
        const string letters = "ABCDEFGHJKLMNOPRSTUVWXY";
        var seen = new HashSet<string>(count, StringComparer.Ordinal);
        var result = new string[count];
        var n = 0;
        Span<char> buffer = stackalloc char[7];
        while (n < count)
        {
            buffer[0] = letters[random.Next(letters.Length)];
            buffer[1] = letters[random.Next(letters.Length)];
            var year = random.Next(100);
            buffer[2] = (char)('0' + (year / 10));
            buffer[3] = (char)('0' + (year % 10));
            buffer[4] = letters[random.Next(letters.Length)];
            buffer[5] = letters[random.Next(letters.Length)];
            buffer[6] = letters[random.Next(letters.Length)];
            var vrm = new string(buffer);
            if (seen.Add(vrm))
            {
                result[n++] = vrm;
            }
        }

        return result;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Reads)]
    public int HashSetOfNormalisedVrm()
    {
        var hits = 0;
        foreach (var vrm in _normalised)
        {
            hits += _set.Contains(vrm) ? 1 : 0;
        }

        return hits;
    }

    [Benchmark(OperationsPerInvoke = Reads)]
    public int HotlistExact()
    {
        var hits = 0;
        foreach (var vrm in _reads)
        {
            hits += _hotlist.TryMatch(vrm, FuzzyLevel.None, 0, out _) ? 1 : 0;
        }

        return hits;
    }

    [Benchmark(OperationsPerInvoke = Reads)]
    public int HotlistOcrFuzzy()
    {
        var hits = 0;
        foreach (var vrm in _reads)
        {
            hits += _hotlist.TryMatch(vrm, FuzzyLevel.Ocr, 0, out _) ? 1 : 0;
        }

        return hits;
    }
}
