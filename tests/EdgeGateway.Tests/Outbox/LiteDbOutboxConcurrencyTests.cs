using EdgeGateway.Contracts.V1;
using EdgeGateway.Core;

namespace EdgeGateway.Tests.Outbox;

public sealed class LiteDbOutboxConcurrencyTests
{
    [Fact]
    public async Task AcceptAsync_ConcurrentProducers_AllStoredWithGapFreeSequences()
    {
        using var context = OutboxTestContext.Create(time: TimeProvider.System);
        string[] streams = ["gnss", "health", "anpr", "status"];
        var producers = Enumerable.Range(0, 8).Select(p => Task.Run(async () =>
        {
            var results = new List<EnqueueResult>();
            for (var i = 0; i < 100; i++)
            {
                results.Add(await context.Sink.AcceptAsync(
                    OutboxTestContext.Draft(p % 2 == 0 ? PriorityClass.Telemetry : PriorityClass.Read, streams[p % 4], TimeProvider.System.GetUtcNow()),
                    TestContext.Current.CancellationToken));
            }

            return results;
        }, TestContext.Current.CancellationToken)).ToList();

        var all = (await Task.WhenAll(producers).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken)).SelectMany(r => r).ToList();
        var stored = (await context.LeaseAllAsync()).Select(OutboxTestContext.Parse).ToList();

        Assert.All(all, r => Assert.Equal(EnqueueResult.Accepted, r));
        Assert.Equal(800, stored.Count);
        Assert.Equal(800, stored.Select(e => e.MessageId).Distinct().Count());
        foreach (var stream in stored.GroupBy(e => e.Stream))
        {
            Assert.Equal(Enumerable.Range(1, 200).Select(i => (ulong)i), stream.Select(e => e.Sequence).Order());
        }
    }
}
