using EdgeGateway.Contracts.V1;
using FleetControl.Store;
using FleetControl.Tests.Infrastructure;

namespace FleetControl.Tests.Store;

public sealed class KnownIdWatermarkTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 18, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void IsKnown_AboveWatermark_DecidedBelowUndecided()
    {
        var known = new KnownIdWatermark("m", capacity: 10);
        known.Add("p");

        Assert.True(known.IsKnown("p"));
        Assert.False(known.IsKnown("q"));
        Assert.Null(known.IsKnown("a"));
        Assert.Null(known.IsKnown("m"));
    }

    [Fact]
    public void Add_SetFull_WatermarkMovesToLargestAndNothingStoredIsCalledNew()
    {
        var known = new KnownIdWatermark(string.Empty, capacity: 3);
        string[] ids = ["b", "d", "c", "f", "e"];
        foreach (var id in ids)
        {
            known.Add(id);
        }

        Assert.Equal("d", known.Watermark);
        Assert.All(ids, id => Assert.NotEqual(false, known.IsKnown(id)));
        Assert.False(known.IsKnown("g"));
    }

    [Fact]
    public void IsKnown_UuidAndOtherIds_EachRecognisedOnlyInItsExactSpelling()
    {
        var known = new KnownIdWatermark(string.Empty, capacity: 10);
        var uuid = Guid.CreateVersion7().ToString();
        known.Add(uuid);
        known.Add("msg-1");

        Assert.True(known.IsKnown(uuid));
        Assert.True(known.IsKnown("msg-1"));
        Assert.False(known.IsKnown(uuid.ToUpperInvariant())); // another id (store keys are ordinal), so not known
        Assert.False(known.IsKnown("{" + uuid + "}"));
        Assert.False(known.IsKnown("msg-2"));
        Assert.Equal(2, known.Count);
    }

    [Fact]
    public async Task StoreEnvelopes_SmallCapacityReopenAndStragglers_EveryRepeatIsDuplicate()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "fleet.db");
        var all = Enumerable.Range(1, 60).Select(i => TestEnvelopes.Position("car-1", (ulong)i)).ToList();
        var older = TestEnvelopes.Position("car-1", 100, messageId: "00000000-0000-7000-8000-000000000001");
        var odd = TestEnvelopes.Position("car-1", 101, messageId: "zz-not-a-uuid");

        using (var store = new LiteDbFleetStore(path, knownIdCapacity: 7))
        {
            foreach (var chunk in all.Take(40).Chunk(5))
            {
                Assert.Equal(new StoreBatchResult(5, 0), await store.StoreEnvelopesAsync(chunk, Now, Ct));
            }

            // An id below the watermark (a straggler) is stored once, then recognised.
            Assert.Equal(new StoreBatchResult(1, 0), await store.StoreEnvelopesAsync([older], Now, Ct));
            Assert.Equal(new StoreBatchResult(20, 41), await store.StoreEnvelopesAsync([.. all, older], Now, Ct));
            Assert.Equal(new StoreBatchResult(1, 0), await store.StoreEnvelopesAsync([odd], Now, Ct));
            Assert.Equal(new StoreBatchResult(0, 1), await store.StoreEnvelopesAsync([odd], Now, Ct));
        }

        using var reopened = new LiteDbFleetStore(path, knownIdCapacity: 7);
        Assert.True(reopened.DedupesByWatermark);
        Assert.Equal(new StoreBatchResult(0, 62), await reopened.StoreEnvelopesAsync([older, odd, .. all], Now, Ct));
        var fresh = TestEnvelopes.Position("car-1", 200);
        Assert.Equal(new StoreBatchResult(1, 0), await reopened.StoreEnvelopesAsync([fresh], Now, Ct));
        Assert.Equal(63, await reopened.CountEnvelopesAsync(Ct));
    }
}
