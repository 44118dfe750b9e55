using BenchmarkDotNet.Attributes;
using LiteDB;

namespace EdgeGateway.Benchmarks.Outbox;

/// <summary>
/// The uplink's drain loop without the network: lease 500, acknowledge them, repeat until 10,000
/// are gone; vs. raw LiteDB reading and deleting the same documents in batches (baseline).
/// </summary>
[MemoryDiagnoser]
public class OutboxDrainBenchmarks
{
    private const int Messages = 10_000;
    private const int Batch = 500;

    private OutboxBenchmarkStore? _store;

    [IterationSetup]
    public void Setup()
    {
        _store = OutboxBenchmarkStore.Create();
        _store.Fill(Messages);
        _store.Outbox.GetStatistics();
    }

    [IterationCleanup]
    public void Cleanup() => _store?.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = Messages, Description = "raw LiteDB find+delete")]
    public int RawDrain()
    {
        var drained = 0;
        while (true)
        {
            var ids = _store!.RawQueue.Find(Query.All(Query.Ascending), 0, Batch).Select(d => d["_id"]).ToList();
            if (ids.Count == 0)
            {
                return drained;
            }

            _store.Raw.BeginTrans();
            foreach (var id in ids)
            {
                _store.RawQueue.Delete(id);
            }

            _store.Raw.Commit();
            drained += ids.Count;
        }
    }

    [Benchmark(OperationsPerInvoke = Messages, Description = "outbox lease+ack")]
    public async Task<int> LeaseAndAcknowledge()
    {
        var drained = 0;
        while (true)
        {
            var batch = await _store!.Outbox.LeaseAsync(Batch, CancellationToken.None);
            if (batch.Count == 0)
            {
                _store.Outbox.GetStatistics(); // waits for the deletes behind the acks, so they are in the figure
                return drained;
            }

            await _store.Outbox.AcknowledgeAsync(batch.Select(m => m.MessageId).ToList(), CancellationToken.None);
            drained += batch.Count;
        }
    }
}
