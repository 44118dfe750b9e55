using BenchmarkDotNet.Attributes;
using EdgeGateway.Core;

namespace EdgeGateway.Benchmarks.Outbox;

/// <summary>
/// Durable enqueue through the sink vs. a raw LiteDB insert of the same document (baseline), into
/// an empty store and into a backlog. Each outbox enqueue is one committed, flushed transaction;
/// the concurrent case shows group commit (four streams sharing commits; within one stream
/// enqueues are serialised so sequences stay gap-free).
/// </summary>
[MemoryDiagnoser]
public class OutboxEnqueueBenchmarks
{
    private static readonly string[] Streams = ["gnss", "health", "anpr", "status"];

    private OutboxBenchmarkStore? _store;

    /// <summary>Messages already queued.</summary>
    [Params(0, 200_000)]
    public int Backlog { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _store = OutboxBenchmarkStore.Create();
        _store.Fill(Backlog);
        _store.Outbox.GetStatistics();
    }

    [GlobalCleanup]
    public void Cleanup() => _store?.Dispose();

    [Benchmark(Baseline = true, Description = "raw LiteDB insert")]
    public void RawInsert() => _store!.RawQueue.Insert(_store.RawDocument());

    [Benchmark(Description = "sink+outbox enqueue")]
    public async Task<bool> Enqueue() =>
        await _store!.Sink.AcceptAsync(OutboxBenchmarkStore.Draft(TimeProvider.System.GetUtcNow()), CancellationToken.None) == EnqueueResult.Accepted;

    /// <summary>Four adapters on four streams at once: their enqueues share commits (group commit).</summary>
    [Benchmark(Description = "enqueue, 4 streams at once", OperationsPerInvoke = 4)]
    public Task EnqueueConcurrent() => Task.WhenAll(Streams.Select(stream => Task.Run(async () =>
    {
        var draft = OutboxBenchmarkStore.Draft(TimeProvider.System.GetUtcNow());
        draft.Stream = stream;
        await _store!.Sink.AcceptAsync(draft, CancellationToken.None);
    })));
}
