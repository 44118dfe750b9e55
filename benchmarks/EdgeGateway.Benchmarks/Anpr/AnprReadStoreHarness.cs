using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Testing;
using FleetControl.Anpr;
using FleetControl.Anpr.PostgreSql;
using FleetControl.Store.PostgreSql;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Npgsql;

namespace EdgeGateway.Benchmarks.Anpr;

/// <summary>
/// FleetControl's ANPR read store alone, LiteDB (the baseline) beside PostgreSQL in the same run (not BenchmarkDotNet):
/// the same reads stored in ingest-sized commits (optionally with a plate and an overview image each), then every
/// search shape the API makes, each timed over repeated runs. PostgreSQL is a private durable cluster (fsync on).
/// Reports reads/s stored, CPU per 1,000 reads (this process, and the PostgreSQL server's processes), search p50,
/// and PostgreSQL bytes per read (heap and indexes of the partitions).
/// <c>dotnet run -c Release --project benchmarks/EdgeGateway.Benchmarks -- anpr-store [--reads 20000] [--commit 50] [--images 0|1] [--searches 50] [--dir DIR]</c>
/// </summary>
internal static class AnprReadStoreHarness
{
    private static readonly DateTimeOffset BaseTime = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    public static async Task<int> RunAsync(string[] args)
    {
        var reads = HarnessSupport.Option(args, "--reads", 20_000);
        var commit = HarnessSupport.Option(args, "--commit", 50);
        var images = HarnessSupport.Option(args, "--images", 0) != 0;
        var searches = HarnessSupport.Option(args, "--searches", 50);
        var dir = Path.Combine(HarnessSupport.OptionString(args, "--dir") ?? Path.GetTempPath(), "anpr-store-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var batches = MakeBatches(reads, commit, images);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{reads} reads in commits of {commit} over 2 days, 500 vehicles, 5,000 plates{(images ? ", a 5 KB plate and a 60 KB overview each" : string.Empty)}; {searches} runs per search"));
        try
        {
            var lite = Path.Combine(dir, "litedb");
            Directory.CreateDirectory(lite);
            using var database = new AnprLiteDatabase(lite);
            var liteResult = await RunAsync(new LiteDbAnprReadStore(database), batches, searches, postgresPids: null);

            await using var cluster = new PostgreSqlCluster { Durable = true };
            await cluster.InitializeAsync();
            await using var dataSource = NpgsqlDataSource.Create(await cluster.CreateDatabaseAsync("anpr"));
            await PostgreSqlMigrations.MigrateAsync(dataSource, CancellationToken.None);
            var pgResult = await RunAsync(new PostgreSqlAnprReadStore(dataSource, Path.Combine(dir, "vault", "anpr-images")), batches, searches, () => PostgresPids(cluster.PostmasterPid));
            await using (var size = dataSource.CreateCommand(
                "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'anpr_reads'"))
            {
                var bytes = Convert.ToDouble(await size.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"PostgreSQL anpr_reads with its 5 indexes: {bytes / reads:F0} bytes per read"));
            }

            Console.WriteLine();
            Console.WriteLine("| | LiteDB (baseline) | PostgreSQL | ratio |");
            Console.WriteLine("|---|---:|---:|---:|");
            Row("reads stored per second", liteResult.ReadsPerSecond, pgResult.ReadsPerSecond, "F0");
            Row("CPU ms per 1,000 reads, FleetControl side", liteResult.CpuMsPerThousand, pgResult.CpuMsPerThousand, "F0");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| CPU ms per 1,000 reads, PostgreSQL server | – | {pgResult.ServerCpuMsPerThousand:F0} | |"));
            foreach (var (shape, ms) in liteResult.SearchP50)
            {
                Row($"search p50 ms: {shape}", ms, pgResult.SearchP50[shape], "F2");
            }

            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void Row(string name, double baseline, double value, string format) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {baseline.ToString(format, CultureInfo.InvariantCulture)} | {value.ToString(format, CultureInfo.InvariantCulture)} | {(baseline > 0 ? value / baseline : 0):F2} |"));

    private sealed record Result(double ReadsPerSecond, double CpuMsPerThousand, double ServerCpuMsPerThousand, Dictionary<string, double> SearchP50);

    private static async Task<Result> RunAsync(IAnprReadStore store, List<List<Envelope>> batches, int searches, Func<int[]>? postgresPids)
    {
        var reads = batches.Sum(b => b.Count(e => e.BodyCase == Envelope.BodyOneofCase.AnprRead));
        await store.StoreAsync(batches[0], CancellationToken.None); // warm-up (also makes the partitions)
        var self = Process.GetCurrentProcess();
        var cpu0 = self.TotalProcessorTime;
        var server0 = postgresPids is null ? 0 : postgresPids().Sum(Ticks);
        var sw = Stopwatch.StartNew();
        foreach (var batch in batches.Skip(1))
        {
            await store.StoreAsync(batch, CancellationToken.None);
        }

        sw.Stop();
        self.Refresh();
        var measured = reads - batches[0].Count(e => e.BodyCase == Envelope.BodyOneofCase.AnprRead);
        var cpu = (self.TotalProcessorTime - cpu0).TotalMilliseconds;
        var server = postgresPids is null ? 0 : (postgresPids().Sum(Ticks) - server0) * 1000.0 / ProcFs.TicksPerSecond;

        var area = (51.40, -0.20, 51.60, 0.00);
        (string Shape, AnprReadQuery Query)[] shapes =
        [
            ("newest 100", new(null, null, null, null, null, 100)),
            ("vrm", new("AB0042CD", null, null, null, null, 100)),
            ("vrm, window", new("AB0042CD", BaseTime.AddDays(-1), BaseTime, null, null, 100)),
            ("device", new(null, null, null, "car-42", null, 100)),
            ("window (1 h)", new(null, BaseTime.AddHours(-2), BaseTime.AddHours(-1), null, null, 100)),
            ("area", new(null, null, null, null, area, 100)),
        ];
        var p50 = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (shape, query) in shapes)
        {
            await store.SearchAsync(query, CancellationToken.None);
            var times = new List<double>();
            for (var i = 0; i < searches; i++)
            {
                var t = Stopwatch.StartNew();
                await store.SearchAsync(query, CancellationToken.None);
                times.Add(t.Elapsed.TotalMilliseconds);
            }

            times.Sort();
            p50[shape] = times[times.Count / 2];
        }

        return new Result(measured / sw.Elapsed.TotalSeconds, cpu * 1000 / measured, server * 1000 / measured, p50);
    }

    private static long Ticks(int pid)
    {
        try
        {
            return ProcFs.CpuTicks(pid);
        }
        catch (IOException)
        {
            return 0; // a backend that ended
        }
    }

    private static List<List<Envelope>> MakeBatches(int reads, int commit, bool images)
    {
        var random = new Random(42);
        var plate = new byte[5 * 1024];
        var overview = new byte[60 * 1024];
        random.NextBytes(plate);
        random.NextBytes(overview);
        var plateSha = Convert.ToHexStringLower(SHA256.HashData(plate));
        var overviewSha = Convert.ToHexStringLower(SHA256.HashData(overview));
        var all = new List<Envelope>();
        for (var i = 0; i < reads; i++)
        {
            var at = BaseTime.AddSeconds(-i * (2 * 86_400.0 / reads));
            var read = new AnprRead
            {
                ReadId = Guid.CreateVersion7(at).ToString(),
                Vrm = $"AB{i % 5000:0000}CD",
                NormalisedVrm = $"AB{i % 5000:0000}CD",
                Confidence = 0.9f,
                Country = "GB",
                CameraId = "cam-front",
                Lane = "1",
                CameraTime = Timestamp.FromDateTimeOffset(at),
                ReceivedAt = Timestamp.FromDateTimeOffset(at.AddMilliseconds(40)),
                ReceivedTimeSource = "NTP",
                Latitude = 50 + (random.NextDouble() * 4),
                Longitude = -4 + (random.NextDouble() * 5),
                PositionAgeMs = 120,
            };
            read.Images.Add(new AnprImageRef { Kind = "plate", Sha256 = plateSha, Size = (ulong)plate.Length });
            read.Images.Add(new AnprImageRef { Kind = "overview", Sha256 = overviewSha, Size = (ulong)overview.Length });
            var device = $"car-{i % 500}";
            all.Add(Wrap(device, (ulong)i, at, e => e.AnprRead = read));
            if (images)
            {
                all.Add(Wrap(device, (ulong)i, at, e => e.AnprImage = new AnprImage { ReadId = read.ReadId, Kind = "plate", Sha256 = plateSha, Data = ByteString.CopyFrom(plate) }));
                all.Add(Wrap(device, (ulong)i, at, e => e.AnprImage = new AnprImage { ReadId = read.ReadId, Kind = "overview", Sha256 = overviewSha, Data = ByteString.CopyFrom(overview) }));
            }
        }

        var perCommit = commit * (images ? 3 : 1);
        return all.Chunk(perCommit).Select(c => c.ToList()).ToList();
    }

    private static Envelope Wrap(string deviceId, ulong sequence, DateTimeOffset at, Action<Envelope> body)
    {
        var envelope = new Envelope
        {
            MessageId = Guid.CreateVersion7().ToString(),
            DeviceId = deviceId,
            Stream = "anpr",
            Sequence = sequence,
            CapturedAt = Timestamp.FromDateTimeOffset(at),
            Priority = PriorityClass.Read,
        };
        body(envelope);
        return envelope;
    }

    private static int[] PostgresPids(int postmaster)
    {
        var pids = new List<int> { postmaster };
        foreach (var d in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(d), out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(d, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(fields[1], CultureInfo.InvariantCulture) == postmaster)
                {
                    pids.Add(pid);
                }
            }
            catch (IOException)
            {
                // gone in between
            }
        }

        return [.. pids];
    }
}
