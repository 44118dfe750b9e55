using System.Diagnostics;
using System.Globalization;

namespace EdgeGateway.Benchmarks.Outbox;

/// <summary>
/// <c>outbox encryption</c>: the cost of encrypting outbox payloads at rest. Per run, a plaintext outbox and an
/// encrypted one (order alternating between runs) each take the same bulk fill and are drained by lease + ack to
/// depth 0; the figure is the encrypted rate as a ratio of the plaintext rate measured in the same run.
/// </summary>
internal static class OutboxEncryptionHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        var messages = HarnessSupport.Option(args, "--messages", 20_000);
        var lease = HarnessSupport.Option(args, "--lease", 100);
        var runs = HarnessSupport.Option(args, "--runs", 3);
        Console.WriteLine("| run | plaintext fill / drain (msg/s) | encrypted fill / drain (msg/s) | ratio fill | ratio drain |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        for (var run = 1; run <= runs; run++)
        {
            var order = run % 2 == 1 ? new[] { false, true } : [true, false];
            var rates = new Dictionary<bool, (double Fill, double Drain)>();
            foreach (var encrypted in order)
            {
                rates[encrypted] = await MeasureAsync(encrypted, messages, lease).ConfigureAwait(false);
            }

            var (plain, sealedRate) = (rates[false], rates[true]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {run} | {plain.Fill:F0} / {plain.Drain:F0} | {sealedRate.Fill:F0} / {sealedRate.Drain:F0} | {sealedRate.Fill / plain.Fill:F2} | {sealedRate.Drain / plain.Drain:F2} |"));
        }

        return 0;
    }

    private static async Task<(double Fill, double Drain)> MeasureAsync(bool encrypted, int messages, int lease)
    {
        using var store = OutboxBenchmarkStore.Create(encrypted);
        var clock = Stopwatch.StartNew();
        store.Fill(messages, raw: false);
        store.Outbox.GetStatistics();
        var fill = clock.Elapsed;
        clock.Restart();
        var drained = 0;
        while (await store.Outbox.LeaseAsync(lease, CancellationToken.None).ConfigureAwait(false) is { Count: > 0 } batch)
        {
            drained += batch.Count;
            await store.Outbox.AcknowledgeAsync(batch.Select(m => m.MessageId).ToList(), CancellationToken.None).ConfigureAwait(false);
        }

        store.Outbox.GetStatistics(); // flushes deletes behind
        var drain = clock.Elapsed;
        if (drained < messages)
        {
            throw new InvalidOperationException($"drained {drained} of {messages} messages");
        }

        return (messages / fill.TotalSeconds, drained / drain.TotalSeconds);
    }
}
