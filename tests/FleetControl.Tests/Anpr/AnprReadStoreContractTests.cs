using System.Security.Cryptography;
using EdgeGateway.Contracts.V1;
using FleetControl.Anpr;

namespace FleetControl.Tests.Anpr;

/// <summary>
/// What every <see cref="IAnprReadStore"/> must do, run against each backend by a subclass
/// (<see cref="LiteDbAnprReadStoreTests"/>, <see cref="PostgreSqlAnprReadStoreTests"/>).
/// </summary>
public abstract class AnprReadStoreContractTests : IAsyncLifetime
{
    private protected static readonly DateTimeOffset Now = new(2026, 11, 23, 18, 0, 0, TimeSpan.Zero);

    // Hertford and London.
    private const double NorthLat = 51.796, NorthLon = -0.078, SouthLat = 51.507, SouthLon = -0.128;

    private IAnprReadStore? _store;

    private protected IAnprReadStore Store => _store ?? throw new InvalidOperationException("not initialised");

    private protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A new, empty store.</summary>
    private protected abstract Task<IAnprReadStore> CreateStoreAsync();

    /// <summary>Closes <paramref name="store"/> and opens the same data again (a restart, or another instance).</summary>
    private protected abstract Task<IAnprReadStore> ReopenAsync(IAnprReadStore store);

    public async ValueTask InitializeAsync() => _store = await CreateStoreAsync();

    public virtual ValueTask DisposeAsync()
    {
        (_store as IDisposable)?.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task StoreAsync_RedeliveredRead_StoredOnceWithItsImagesVerified()
    {
        var (read, images) = AnprEnvelopes.Read("car-1", 1, "AB12 CDE", Now.AddMinutes(-10), NorthLat, NorthLon);
        Assert.Empty(await Store.StoreAsync([read, .. images], Ct));

        // Redelivered after a crash between the commit and the acknowledgement, to this instance or another.
        _store = await ReopenAsync(Store);
        Assert.Empty(await Store.StoreAsync([read, .. images], Ct));
        Assert.Empty(await Store.StoreAsync([read], Ct));

        var found = Assert.Single(await Store.SearchAsync(Query(vrm: "ab12cde"), Ct));
        Assert.Equal(read.AnprRead.ReadId, found.ReadId);
        Assert.Equal(read.MessageId, found.MessageId);
        Assert.Equal("AB12CDE", found.NormalisedVrm);
        Assert.Equal("car-1", found.DeviceId);
        Assert.Equal(read.AnprRead.CameraTime.ToDateTimeOffset(), found.CameraTime);
        Assert.Equal(NorthLat, found.Latitude);
        Assert.Equal(["plate:verified", "overview:verified"], found.Images.Select(i => $"{i.Kind}:{i.Stored}"));

        var plate = await Store.ImagePathAsync(read.AnprRead.ReadId, "plate", Ct);
        Assert.NotNull(plate);
        Assert.Equal(read.AnprRead.Images[0].Sha256, Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(plate, Ct))));
        Assert.Null(await Store.ImagePathAsync(read.AnprRead.ReadId, "thumbnail", Ct));
        Assert.Null(await Store.ImagePathAsync(Guid.NewGuid().ToString(), "plate", Ct));
    }

    [Fact]
    public async Task StoreAsync_ImageNotMatchingItsCaptureHash_KeptAndFlagged_MissingImagePending()
    {
        var (read, images) = AnprEnvelopes.Read("car-1", 1, "XY05 ZZZ", Now.AddMinutes(-4), SouthLat, SouthLon, corruptPlate: [0xFF, 0xD8, 1, 2, 3]);

        var mismatches = await Store.StoreAsync([read, images[0]], Ct); // the overview has not arrived yet

        var mismatch = Assert.Single(mismatches);
        Assert.Equal(("car-1", "plate"), (mismatch.DeviceId, mismatch.Image.Kind));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData([0xFF, 0xD8, 1, 2, 3])), mismatch.Actual);
        var found = Assert.Single(await Store.SearchAsync(Query(vrm: "XY05ZZZ"), Ct));
        Assert.Equal(["plate:mismatch", "overview:pending"], found.Images.Select(i => $"{i.Kind}:{i.Stored}"));
        Assert.NotNull(await Store.ImagePathAsync(read.AnprRead.ReadId, "plate", Ct));
    }

    [Fact]
    public async Task SearchAsync_EachShape_MatchesNewestFirst()
    {
        var a = await StoreReadAsync("car-1", 1, "AB12 CDE", Now.AddHours(-3), NorthLat, NorthLon);
        var b = await StoreReadAsync("car-1", 2, "AB12 CDE", Now.AddHours(-1), SouthLat, SouthLon);
        var c = await StoreReadAsync("car-2", 3, "XY05 ZZZ", Now.AddHours(-2), SouthLat, SouthLon);
        var d = await StoreReadAsync("car-2", 4, "AB12CDE", Now.AddMinutes(-30), NorthLat, NorthLon);
        var north = (51.7, -0.2, 51.9, 0.0);
        var south = (51.4, -0.2, 51.6, 0.0);

        (string Shape, AnprReadQuery Query, string[] Expected)[] cases =
        [
            ("everything", Query(), [d, b, c, a]),
            ("vrm", Query(vrm: "ab12 cde"), [d, b, a]),
            ("vrm, limit", Query(vrm: "AB12CDE", limit: 2), [d, b]),
            ("window", Query(from: Now.AddMinutes(-150), to: Now.AddMinutes(-45)), [b, c]),
            ("from", Query(from: Now.AddMinutes(-90)), [d, b]),
            ("to (exclusive)", Query(to: Now.AddHours(-1)), [c, a]),
            ("device", Query(device: "car-2"), [d, c]),
            ("device, window", Query(device: "car-2", from: Now.AddHours(-3), to: Now.AddHours(-1)), [c]),
            ("vrm, window", Query(vrm: "AB12CDE", from: Now.AddHours(-3), to: Now.AddHours(-1)), [a]),
            ("area", Query(area: north), [d, a]),
            ("area, vrm", Query(vrm: "AB12CDE", area: south), [b]),
            ("area, window", Query(area: south, from: Now.AddMinutes(-150)), [b, c]),
            ("vrm, device, from", Query(vrm: "AB12CDE", device: "car-1", from: Now.AddHours(-2)), [b]),
            ("no match", Query(vrm: "NOPE1"), []),
        ];
        foreach (var (shape, query, expected) in cases)
        {
            Assert.True(expected.SequenceEqual((await Store.SearchAsync(query, Ct)).Select(r => r.ReadId)), $"{shape}: wrong reads or order");
        }
    }

    [Fact]
    public async Task RecentHitsAsync_NewestFirst_RedeliveredHitOnce_ItsReadSearchable()
    {
        var older = AnprEnvelopes.Hit("car-1", 1, "AB12 CDE", Now.AddHours(-2), NorthLat, NorthLon);
        var newer = AnprEnvelopes.Hit("car-2", 2, "XY05 ZZZ", Now.AddHours(-1), SouthLat, SouthLon, list: "wanted");
        await Store.StoreAsync([older], Ct);
        await Store.StoreAsync([newer, older], Ct);

        var hits = await Store.RecentHitsAsync(10, Ct);
        Assert.Equal([newer.MessageId, older.MessageId], hits.Select(h => h.MessageId));
        Assert.Equal(("car-2", "wanted", "XY05ZZZ"), (hits[0].DeviceId, hits[0].Hit.List, hits[0].Hit.EntryVrm));
        Assert.Empty(hits[0].Hit.Images); // held as the read's image files
        Assert.Equal([newer.MessageId], (await Store.RecentHitsAsync(1, Ct)).Select(h => h.MessageId));

        var read = Assert.Single(await Store.SearchAsync(Query(vrm: "AB12CDE"), Ct));
        Assert.Equal(older.AnprHit.Read.ReadId, read.ReadId);
        Assert.All(read.Images, i => Assert.Equal("verified", i.Stored));
    }

    [Fact]
    public async Task PurgeAsync_AcrossADayBoundary_RemovesTheEarlierDayWithItsImageFiles()
    {
        var midnight = new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero);
        var (before, beforeImages) = AnprEnvelopes.Read("car-1", 1, "AB12 CDE", midnight.AddSeconds(-1), NorthLat, NorthLon);
        var (after, afterImages) = AnprEnvelopes.Read("car-1", 2, "AB12 CDE", midnight.AddSeconds(1), NorthLat, NorthLon);
        var hitBefore = AnprEnvelopes.Hit("car-2", 3, "XY05 ZZZ", midnight.AddMinutes(-2), SouthLat, SouthLon);
        var hitAfter = AnprEnvelopes.Hit("car-2", 4, "XY05 ZZZ", midnight.AddMinutes(2), SouthLat, SouthLon);
        await Store.StoreAsync([before, after, .. beforeImages, .. afterImages, hitBefore, hitAfter], Ct);
        var beforeFile = await Store.ImagePathAsync(before.AnprRead.ReadId, "plate", Ct);
        var afterFile = await Store.ImagePathAsync(after.AnprRead.ReadId, "plate", Ct);
        Assert.True(File.Exists(beforeFile) && File.Exists(afterFile), "image files written");

        var purged = await Store.PurgeAsync(midnight, Ct);

        Assert.Equal(new AnprPurgeResult(Reads: 2, Images: 4, Hits: 1), purged); // the read and the hit's read, with two images each
        Assert.Equal([after.AnprRead.ReadId, hitAfter.AnprHit.Read.ReadId], (await Store.SearchAsync(Query(), Ct)).Select(r => r.ReadId).Order(StringComparer.Ordinal));
        Assert.Equal([hitAfter.MessageId], (await Store.RecentHitsAsync(10, Ct)).Select(h => h.MessageId));
        Assert.Null(await Store.ImagePathAsync(before.AnprRead.ReadId, "plate", Ct));
        Assert.False(File.Exists(beforeFile), "the purged day's image file is gone");
        Assert.Equal(afterFile, await Store.ImagePathAsync(after.AnprRead.ReadId, "plate", Ct));
        Assert.True(File.Exists(afterFile), "the next day's image file stays");
        Assert.Equal(new AnprPurgeResult(0, 0, 0), await Store.PurgeAsync(midnight, Ct));

        // A late read of the purged day can still be stored (its day is made again).
        var (late, _) = AnprEnvelopes.Read("car-1", 5, "LATE1", midnight.AddHours(-3), NorthLat, NorthLon);
        await Store.StoreAsync([late], Ct);
        Assert.Single(await Store.SearchAsync(Query(vrm: "LATE1"), Ct));
    }

    private async Task<string> StoreReadAsync(string deviceId, ulong sequence, string vrm, DateTimeOffset at, double lat, double lon)
    {
        var (read, images) = AnprEnvelopes.Read(deviceId, sequence, vrm, at, lat, lon);
        await Store.StoreAsync([read, .. images], Ct);
        return read.AnprRead.ReadId;
    }

    private static AnprReadQuery Query(
        string? vrm = null, DateTimeOffset? from = null, DateTimeOffset? to = null, string? device = null,
        (double South, double West, double North, double East)? area = null, int limit = 100) =>
        new(vrm, from, to, device, area, limit);
}
