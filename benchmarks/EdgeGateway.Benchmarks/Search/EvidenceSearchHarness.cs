using static EdgeGateway.Benchmarks.HarnessSupport;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EdgeGateway.Contracts.V1;
using FleetControl.Evidence;

namespace EdgeGateway.Benchmarks.Search;

/// <summary>
/// Evidence list/search latency at the scale of a force (not BenchmarkDotNet): a vault directory with
/// N catalogued items (real receipt files, as the vault writes them) is searched through FleetControl's
/// evidence index and, in the same run, by a full scan of the receipts (what <c>GET /api/evidence</c>
/// did before: read and parse every receipt, filter, sort). Prints the median and p99 per query
/// shape and the ratio full scan / index.
/// <c>dotnet run -c Release --project benchmarks/EdgeGateway.Benchmarks -- evidence-search [--items 100000] [--runs 200] [--scan-runs 3]</c>
/// </summary>
internal static class EvidenceSearchHarness
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static Task<int> RunAsync(string[] args)
    {
        var items = Option(args, "--items", 100_000);
        var runs = Option(args, "--runs", 200);
        var scanRuns = Option(args, "--scan-runs", 3);
        var vault = Path.Combine(Path.GetTempPath(), "eg-evidence-search-bench");
        Console.WriteLine($"evidence-search harness: {Environment.ProcessorCount} cores, {items} items in {vault}");
        var existing = Directory.Exists(vault) ? Directory.GetFiles(vault, "*" + VaultStorage.RecordSuffix).Length : 0;
        if (existing != items)
        {
            if (Directory.Exists(vault))
            {
                Directory.Delete(vault, recursive: true);
            }

            Directory.CreateDirectory(vault);
            var write = Stopwatch.StartNew();
            Parallel.For(0, items, i => File.WriteAllBytes(Path.Combine(vault, Id(i) + VaultStorage.RecordSuffix), FileEvidenceCatalog.Format(Record(i))));
            Console.WriteLine(Invariant($"  wrote {items} receipts in {write.Elapsed.TotalSeconds:0.0} s"));
        }

        var build = Stopwatch.StartNew();
        var index = FileEvidenceCatalog.BuildIndex(vault);
        Console.WriteLine(Invariant($"  index built from the receipts in {build.Elapsed.TotalSeconds:0.00} s (once, at start-up): {index.Count} items"));

        (string Name, EvidenceQuery Query)[] shapes =
        [
            ("newest 100 (no filter)", new EvidenceQuery()),
            ("by dock (1 of 40)", new EvidenceQuery(DeviceId: "dock-07")),
            ("by camera (1 of 2,000)", new EvidenceQuery(CameraSerial: "BWV101234")),
            ("by officer (1 of 1,500)", new EvidenceQuery(OfficerId: "PC1234")),
            ("category + trigger", new EvidenceQuery(Category: "use-of-force", Trigger: "taser")),
            ("dock + one day", new EvidenceQuery(DeviceId: "dock-07", From: T0.AddDays(100), To: T0.AddDays(101))),
            ("page 5 of a dock (cursor)", new EvidenceQuery(DeviceId: "dock-07")),
        ];

        Console.WriteLine();
        Console.WriteLine("| query | hits (page) | index median | index p99 | full scan median | full scan / index |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var (name, shape) in shapes)
        {
            var query = shape;
            if (name.StartsWith("page 5", StringComparison.Ordinal))
            {
                for (var p = 0; p < 4; p++)
                {
                    query = query with { Cursor = index.Search(query).NextCursor };
                }
            }

            var timings = new List<double>(runs);
            EvidencePage page = null!;
            for (var r = 0; r < runs; r++)
            {
                var watch = Stopwatch.StartNew();
                page = index.Search(query);
                timings.Add(watch.Elapsed.TotalMilliseconds);
            }

            var scans = new List<double>(scanRuns);
            List<string> scanned = null!;
            for (var r = 0; r < scanRuns; r++)
            {
                var watch = Stopwatch.StartNew();
                scanned = FullScan(vault, query);
                scans.Add(watch.Elapsed.TotalMilliseconds);
            }

            if (!scanned.SequenceEqual(page.Items.Select(s => s.EvidenceId)))
            {
                throw new InvalidOperationException($"{name}: the index and the full scan disagree");
            }

            timings.Sort();
            scans.Sort();
            var median = timings[timings.Count / 2];
            var scanMedian = scans[scans.Count / 2];
            Console.WriteLine(Invariant($"| {name} | {page.Items.Count} | {median * 1000:0.0} µs | {timings[(int)(timings.Count * 0.99)] * 1000:0.0} µs | {scanMedian:0} ms | {scanMedian / median:0}x |"));
        }

        return Task.FromResult(0);
    }

    /// <summary>The way the list worked before the index: parse every receipt, filter, order, page.</summary>
    private static List<string> FullScan(string vault, EvidenceQuery q)
    {
        var cursor = q.Cursor?.Split('_', 2);
        return FileEvidenceCatalog.ReadAll(vault)
            .Select(EvidenceIndex.Summarise)
            .Where(s => Eq(q.DeviceId, s.DeviceId) && Eq(q.CameraSerial, s.CameraSerial) && Eq(q.OfficerId, s.OfficerId) && Eq(q.Category, s.Category) && Eq(q.Trigger, s.Trigger))
            .Where(s => (q.From is null || s.RecordedAt >= q.From) && (q.To is null || s.RecordedAt < q.To))
            .OrderByDescending(s => s.RecordedAt.UtcTicks).ThenBy(s => s.EvidenceId, StringComparer.Ordinal)
            .Where(s => cursor is null
                || s.RecordedAt.UtcTicks < long.Parse(cursor[0], CultureInfo.InvariantCulture)
                || s.RecordedAt.UtcTicks == long.Parse(cursor[0], CultureInfo.InvariantCulture) && string.CompareOrdinal(s.EvidenceId, cursor[1]) > 0)
            .Take(q.Limit)
            .Select(s => s.EvidenceId)
            .ToList();
    }

    private static bool Eq(string? wanted, string? actual) => wanted is null || string.Equals(wanted, actual, StringComparison.OrdinalIgnoreCase);

    private static string Id(int i) => string.Create(CultureInfo.InvariantCulture, $"ev-{i:x32}");

    /// <summary>A force's year: 40 docks, 2,000 cameras, 1,500 officers, recordings spread over 365 days.</summary>
    private static EvidenceRecord Record(int i)
    {
        var rng = new Random(i);
        var start = T0.AddMinutes(rng.Next(365 * 24 * 60));
        var camera = string.Create(CultureInfo.InvariantCulture, $"BWV{100000 + rng.Next(2000)}");
        string[] categories = ["traffic", "stop-search", "arrest", "use-of-force", "domestic"];
        string[] triggers = ["manual", "manual", "manual", "taser", "emergency"];
        var sidecar = JsonSerializer.Serialize(new
        {
            cameraSerial = camera,
            officerId = string.Create(CultureInfo.InvariantCulture, $"PC{1000 + rng.Next(1500)}"),
            startUtc = start,
            endUtc = start.AddMinutes(5),
            trigger = triggers[rng.Next(triggers.Length)],
            category = categories[rng.Next(categories.Length)],
        });
        var item = new EvidenceItem
        {
            EvidenceId = Id(i),
            DeviceId = string.Create(CultureInfo.InvariantCulture, $"dock-{rng.Next(40):D2}"),
            CameraSerial = camera,
            FileName = string.Create(CultureInfo.InvariantCulture, $"VID{i % 10000:D4}.mp4"),
            Size = (ulong)rng.Next(1 << 20, 1 << 30),
            Sha256 = new string('a', 64),
            SidecarJson = sidecar,
            SidecarStatus = "ok",
            RecordedAt = start.ToString("O", CultureInfo.InvariantCulture),
        };
        var receipt = new EvidenceReceipt { EvidenceId = item.EvidenceId, Sha256 = item.Sha256, Size = item.Size, StoredAt = start.AddHours(8).ToString("O", CultureInfo.InvariantCulture) };
        return new EvidenceRecord(item, receipt, item.EvidenceId + ".mp4");
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
