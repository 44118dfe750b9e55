using EdgeGateway.Contracts.V1;
using FleetControl.Store;
using FleetControl.Tests.Infrastructure;

namespace FleetControl.Tests.Store;

/// <summary>
/// A large store call is committed in several transactions with the lock released between them, so a small
/// call (the ingest writer's urgent lane) is stored while the large one is still going; each id still once.
/// </summary>
public sealed class LiteDbFleetStoreTransactionTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 18, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task StoreEnvelopes_SmallCallBetweenTransactionsOfALargeOne_StoredAtOnceEachIdOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        using var store = new LiteDbFleetStore(Path.Combine(_dir.Path, "fleet.db"), KnownIdWatermark.DefaultCapacity, envelopesPerTransaction: 10);
        var large = Enumerable.Range(1, 100).Select(i => TestEnvelopes.Position("car-1", (ulong)i)).ToList();
        var emergency = TestEnvelopes.Position("car-1", 1_000);
        emergency.Stream = "panic";
        emergency.Priority = PriorityClass.Emergency;
        emergency.Position = null;
        emergency.Event = new DeviceEvent { Type = "emergency", Detail = "officer emergency button" };

        // After the large call's first transaction, a small call runs to completion while the large call waits:
        // it would never finish if the large call held the lock for all its transactions. It carries the
        // Emergency, an id the large call has stored already and one it has yet to store.
        StoreBatchResult? small = null;
        long? storedWhenSmallDone = null;
        var between = 0;
        store.BetweenTransactions = () =>
        {
            if (++between == 1)
            {
                var call = Task.Run(() => store.StoreEnvelopesAsync([emergency, large[0], large[99]], Now, ct), ct);
                Assert.True(call.Wait(Timeout, ct), "the small call did not get in between the large call's transactions");
                small = call.Result;
                storedWhenSmallDone = store.CountEnvelopesAsync(ct).Result;
            }
        };

        var result = await store.StoreEnvelopesAsync(large, Now, ct);

        Assert.Equal(9, between);
        Assert.Equal(new StoreBatchResult(2, 1), small);
        Assert.Equal(12, storedWhenSmallDone); // the large call's first transaction, then the small call's two
        Assert.Equal(new StoreBatchResult(99, 1), result);
        Assert.Equal(101, await store.CountEnvelopesAsync(ct));
        Assert.Equal(100, (await store.GetPositionsAsync("car-1", 1000, ct)).Count);
        Assert.Equal(101, (await store.GetDeviceAsync("car-1", ct))!.EnvelopeCount);
    }
}
