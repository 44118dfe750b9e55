using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;
using EdgeGateway.Outbox;
using Microsoft.Extensions.Time.Testing;

namespace EdgeGateway.Tests.Outbox.Contract;

/// <summary>One outbox implementation with the real sink in front of it, on a fake clock, as the contract tests see it.</summary>
internal sealed class OutboxUnderTest : IDisposable
{
    private readonly Func<IReadOnlyList<Envelope>, ValueTask<IReadOnlyList<EnqueueResult>>> _enqueueMany;
    private readonly Func<OutboxStatistics> _statistics;
    private readonly IDisposable? _owner;

    public OutboxUnderTest(
        IOutbox outbox,
        ObservationSink sink,
        FakeTimeProvider time,
        MonotonicMessageIdGenerator ids,
        Func<IReadOnlyList<Envelope>, ValueTask<IReadOnlyList<EnqueueResult>>> enqueueMany,
        Func<OutboxStatistics> statistics,
        IDisposable? owner)
    {
        Outbox = outbox;
        Sink = sink;
        Time = time;
        Ids = ids;
        _enqueueMany = enqueueMany;
        _statistics = statistics;
        _owner = owner;
    }

    public IOutbox Outbox { get; }

    public ObservationSink Sink { get; }

    public FakeTimeProvider Time { get; }

    public MonotonicMessageIdGenerator Ids { get; }

    public static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public ValueTask<EnqueueResult> AcceptAsync(PriorityClass priority, string stream = "gnss", int padding = 16) =>
        Sink.AcceptAsync(OutboxTestContext.Draft(priority, stream, Time.GetUtcNow(), padding), Cancel);

    public ValueTask<IReadOnlyList<EnqueueResult>> EnqueueManyAsync(IReadOnlyList<Envelope> envelopes) => _enqueueMany(envelopes);

    public Task<IReadOnlyList<OutboxMessage>> LeaseAsync(int maxCount) =>
        Outbox.LeaseAsync(maxCount, Cancel).AsTask().WaitAsync(TimeSpan.FromSeconds(30), Cancel);

    /// <summary>Leases everything currently leasable.</summary>
    public async Task<IReadOnlyList<OutboxMessage>> LeaseAllAsync()
    {
        var all = new List<OutboxMessage>();
        while (await LeaseAsync(1000) is { Count: > 0 } batch)
        {
            all.AddRange(batch);
        }

        return all;
    }

    public OutboxStatistics Statistics() => _statistics();

    public long Depth(PriorityClass priority) => Statistics().Classes.Single(c => c.Priority == priority).Depth;

    public ulong Drops(PriorityClass priority, string reason) =>
        Statistics().Drops.Where(d => d.Priority == priority && d.Reason == reason).Aggregate(0UL, (sum, d) => sum + d.Count);

    public void Dispose() => _owner?.Dispose();
}
