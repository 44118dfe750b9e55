using EdgeGateway.Contracts.V1;
using FleetControl.Store;
using FleetControl.Tests.Infrastructure;

namespace FleetControl.Tests.Store;

/// <summary>
/// A large store call that meets a small one waiting (the ingest writer's urgent lane) ends its transaction after
/// the current chunk and lets it in before going on, so the small call does not wait for the whole large one;
/// each id still once.
/// </summary>
public sealed class LiteDbFleetStoreTransactionTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 18, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task StoreEnvelopes_SmallCallWaitsDuringALargeOne_LargeGivesWayAfterAChunkEachIdOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        using var store = new LiteDbFleetStore(Path.Combine(_dir.Path, "fleet.db"), KnownIdWatermark.DefaultCapacity, chunkEnvelopes: 10);
        var large = Enumerable.Range(1, 100).Select(i => TestEnvelopes.Position("car-1", (ulong)i)).ToList();
        var emergency = TestEnvelopes.Position("car-1", 1_000);
        emergency.Stream = "panic";
        emergency.Priority = PriorityClass.Emergency;
        emergency.Position = null;
        emergency.Event = new DeviceEvent { Type = "emergency", Detail = "officer emergency button" };

        // While the large call inserts its first chunk (under the lock), a small call starts and waits for the
        // lock: the large call rolls that chunk back, lets the small one in, then stores everything. The small
        // call carries the Emergency, the large call's first id (just rolled back) and its last.
        Task<StoreBatchResult>? small = null;
        var chunks = 0;
        store.BetweenChunks = () =>
        {
            if (++chunks == 1)
            {
                small = Task.Run(() => store.StoreEnvelopesAsync([emergency, large[0], large[99]], Now, ct), ct);
                Assert.True(SpinWait.SpinUntil(() => store.SmallCallsWaiting > 0, Timeout), "the small call never came");
            }
        };

        var result = await store.StoreEnvelopesAsync(large, Now, ct);
        Assert.NotNull(small);
        var smallResult = await small.WaitAsync(Timeout, ct);

        Assert.Equal(1, store.GaveWay); // one rollback, then the whole call in one transaction
        Assert.Equal(new StoreBatchResult(3, 0), smallResult);
        Assert.Equal(new StoreBatchResult(98, 2), result);
        Assert.Equal(101, await store.CountEnvelopesAsync(ct));
        Assert.Equal(100, (await store.GetPositionsAsync("car-1", 1000, ct)).Count);
        Assert.Equal(101, (await store.GetDeviceAsync("car-1", ct))!.EnvelopeCount);
    }
}
