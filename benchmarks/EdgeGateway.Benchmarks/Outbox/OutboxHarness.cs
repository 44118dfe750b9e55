using System.Diagnostics;
using System.Globalization;
using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;

namespace EdgeGateway.Benchmarks.Outbox;

/// <summary>
/// Outbox figures that are ratios within one run (not test assertions):
/// <c>outbox backlog</c>: start-up and enqueue rate with a large backlog vs. an empty store;
/// <c>outbox ack</c>: Emergency enqueue latency and drain rate while a backlog is leased and
/// acknowledged, acks deleted inline (old) vs. behind the acks (new).
/// </summary>
internal static class OutboxHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        return args switch
        {
            ["backlog", ..] => await BacklogAsync(args).ConfigureAwait(false),
            ["ack", ..] => await AckAsync(args).ConfigureAwait(false),
            ["encryption", ..] => await OutboxEncryptionHarness.RunAsync(args).ConfigureAwait(false),
            _ => Usage(),
        };
    }

    private static int Usage()
    {
        Console.WriteLine("outbox backlog [--backlog 1000000] [--rounds 7] [--per-round 150]");
        Console.WriteLine("outbox ack [--messages 50000] [--lease 100] [--interval-ms 20] [--runs 2]");
        Console.WriteLine("outbox encryption [--messages 20000] [--lease 100] [--runs 3]");
        return 2;
    }

    /// <summary>Was LiteDbOutboxBacklogTests' rate assertion: median per-round enqueue ratio, full / empty.</summary>
    private static async Task<int> BacklogAsync(string[] args)
    {
        var backlog = HarnessSupport.Option(args, "--backlog", 1_000_000);
        var rounds = HarnessSupport.Option(args, "--rounds", 7);
        var perRound = HarnessSupport.Option(args, "--per-round", 150);
        using var empty = OutboxBenchmarkStore.Create();
        using var full = OutboxBenchmarkStore.Create();
        var build = Stopwatch.StartNew();
        full.Fill(backlog, raw: false);
        build.Stop();
        var startUp = full.Reopen();

        // Both warmed up (the reopened store's cache is cold), then alternating rounds so that load
        // on a shared box hits both alike; the median of the per-round ratios ignores a disturbed round.
        await TimeEnqueuesAsync(empty, 50).ConfigureAwait(false);
        await TimeEnqueuesAsync(full, 50).ConfigureAwait(false);
        var ratios = new List<double>();
        var emptyTime = TimeSpan.Zero;
        var fullTime = TimeSpan.Zero;
        for (var round = 0; round < rounds; round++)
        {
            var e = await TimeEnqueuesAsync(empty, perRound).ConfigureAwait(false);
            var f = await TimeEnqueuesAsync(full, perRound).ConfigureAwait(false);
            emptyTime += e;
            fullTime += f;
            ratios.Add(e / f);
        }

        var median = ratios.Order().ElementAt(rounds / 2);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"backlog {backlog} built in {build.Elapsed.TotalSeconds:F1} s; start-up {startUp.TotalMilliseconds:F0} ms; " +
            $"enqueue empty {rounds * perRound / emptyTime.TotalSeconds:F0}/s, with backlog {rounds * perRound / fullTime.TotalSeconds:F0}/s; " +
            $"median round ratio {median:F2} (rounds {string.Join(' ', ratios.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))})"));
        return 0;
    }

    private static async Task<TimeSpan> TimeEnqueuesAsync(OutboxBenchmarkStore store, int count)
    {
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var result = await store.Sink.AcceptAsync(OutboxBenchmarkStore.Draft(TimeProvider.System.GetUtcNow()), CancellationToken.None).ConfigureAwait(false);
            if (result != EnqueueResult.Accepted)
            {
                throw new InvalidOperationException($"enqueue refused: {result}");
            }
        }

        return clock.Elapsed;
    }

    /// <summary>Inline deletes vs. delete-behind, alternating, same backlog each time.</summary>
    private static async Task<int> AckAsync(string[] args)
    {
        var messages = HarnessSupport.Option(args, "--messages", 50_000);
        var lease = HarnessSupport.Option(args, "--lease", 100);
        var interval = TimeSpan.FromMilliseconds(HarnessSupport.Option(args, "--interval-ms", 20));
        var runs = HarnessSupport.Option(args, "--runs", 2);
        Console.WriteLine("| acks | drain (lease+ack until depth 0) | AcknowledgeAsync p50 / p99 | Emergency enqueue p50 / p99 / max |");
        Console.WriteLine("|---|---:|---:|---:|");
        for (var run = 0; run < runs; run++)
        {
            foreach (var behind in new[] { false, true })
            {
                using var store = OutboxBenchmarkStore.Create();
                store.Fill(messages, raw: false);
                store.Outbox.DeleteBehind = behind;
                store.Outbox.GetStatistics();
                var acks = new List<double>();
                var emergencies = new List<double>();
                using var done = new CancellationTokenSource();
                var sampler = SampleEmergenciesAsync(store, interval, emergencies, done.Token);
                var clock = Stopwatch.StartNew();
                while (await store.Outbox.LeaseAsync(lease, CancellationToken.None).ConfigureAwait(false) is { Count: > 0 } batch)
                {
                    var ids = batch.Where(m => m.Priority == PriorityClass.Telemetry).Select(m => m.MessageId).ToList();
                    var ack = Stopwatch.GetTimestamp();
                    await store.Outbox.AcknowledgeAsync(ids, CancellationToken.None).ConfigureAwait(false);
                    acks.Add(Stopwatch.GetElapsedTime(ack).TotalMilliseconds);
                }

                var depth = store.Outbox.GetStatistics().Classes.Single(c => c.Priority == PriorityClass.Telemetry).Depth; // flushes deletes
                var drain = clock.Elapsed;
                await done.CancelAsync().ConfigureAwait(false);
                await sampler.ConfigureAwait(false);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {(behind ? "delete behind" : "inline (before)")} | {messages / drain.TotalSeconds:F0} msg/s (depth left {depth}) | {P(acks, 0.5):F2} / {P(acks, 0.99):F2} ms | {P(emergencies, 0.5):F1} / {P(emergencies, 0.99):F1} / {emergencies.DefaultIfEmpty().Max():F1} ms ({emergencies.Count}) |"));
            }
        }

        return 0;
    }

    private static async Task SampleEmergenciesAsync(OutboxBenchmarkStore store, TimeSpan interval, List<double> latencies, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var draft = OutboxBenchmarkStore.Draft(TimeProvider.System.GetUtcNow());
                draft.Stream = "panic";
                draft.Priority = PriorityClass.Emergency;
                var start = Stopwatch.GetTimestamp();
                await Task.Run(() => store.Sink.AcceptAsync(draft, CancellationToken.None).AsTask(), CancellationToken.None).ConfigureAwait(false);
                latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }
        catch (OperationCanceledException)
        {
            // the drain finished
        }
    }

    private static double P(List<double> values, double quantile) =>
        values.Count == 0 ? 0 : values.Order().ElementAt((int)Math.Min(values.Count - 1, Math.Floor(quantile * values.Count)));
}
