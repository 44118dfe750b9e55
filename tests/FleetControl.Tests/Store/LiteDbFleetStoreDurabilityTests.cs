using EdgeGateway.Contracts.V1;
using FleetControl.Store;
using FleetControl.Tests.Infrastructure;

namespace FleetControl.Tests.Store;

/// <summary>
/// "Durable when the task completes": the files as they are the instant a store call returns (what a
/// kill -9 leaves behind) must already hold everything that call stored.
/// </summary>
public sealed class LiteDbFleetStoreDurabilityTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 18, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task StoreEnvelopes_FilesCopiedWithoutClosing_CopyHoldsEveryStoredEnvelope()
    {
        using var live = new TempDirectory();
        using var crashed = new TempDirectory();
        var dbPath = Path.Combine(live.Path, "fleet.db");
        var batches = Enumerable.Range(0, 3)
            .Select(b => Enumerable.Range(0, 2000).Select(i => TestEnvelopes.Position($"car-{i % 3}", (ulong)((b * 2000) + i + 1))).ToList())
            .ToList();

        using (var store = new LiteDbFleetStore(dbPath))
        {
            foreach (var batch in batches)
            {
                await store.StoreEnvelopesAsync(batch, Now, Ct);
            }

            // Snapshot the files at once, with the store still open (no checkpoint, no close).
            File.Copy(dbPath, Path.Combine(crashed.Path, "fleet.db"));
            File.Copy(LiteDbFleetStore.LogPath(dbPath), Path.Combine(crashed.Path, "fleet-log.db"));
        }

        using var reopened = new LiteDbFleetStore(Path.Combine(crashed.Path, "fleet.db"));
        Assert.Equal(6000, await reopened.CountEnvelopesAsync(Ct));
        var again = await reopened.StoreEnvelopesAsync(batches.SelectMany(b => b).ToList(), Now, Ct);
        Assert.Equal(new StoreBatchResult(0, 6000), again);
        var car0 = batches.SelectMany(b => b).Count(e => e.DeviceId == "car-0");
        Assert.Equal(car0, (await reopened.GetPositionsAsync("car-0", 10000, Ct)).Count);
    }

    [Fact]
    public async Task UpdateStatus_FilesCopiedWithoutClosing_CopyHoldsTheStatus()
    {
        using var live = new TempDirectory();
        using var crashed = new TempDirectory();
        var dbPath = Path.Combine(live.Path, "fleet.db");

        using (var store = new LiteDbFleetStore(dbPath))
        {
            await store.UpdateStatusAsync("car-9", new DeviceStatus { Online = true, Role = "Vehicle" }, Now, Ct);
            File.Copy(dbPath, Path.Combine(crashed.Path, "fleet.db"));
            File.Copy(LiteDbFleetStore.LogPath(dbPath), Path.Combine(crashed.Path, "fleet-log.db"));
        }

        using var reopened = new LiteDbFleetStore(Path.Combine(crashed.Path, "fleet.db"));
        var device = await reopened.GetDeviceAsync("car-9", Ct);
        Assert.NotNull(device);
        Assert.True(device.Online);
    }

    [Fact]
    public void Open_PinnedLiteDb_WriterQueueReachableWithoutFallback()
    {
        using var dir = new TempDirectory();
        using var store = new LiteDbFleetStore(Path.Combine(dir.Path, "fleet.db"));

        // A LiteDB upgrade that moves these internals makes every commit a checkpoint: fail here first.
        Assert.Null(store.Durable.FallbackReason);
        Assert.True(store.Durable.DetectsWriterFailure);
    }

    [Fact]
    public void LogPath_FollowsLiteDbNaming()
    {
        Assert.Equal(Path.Combine("/data", "fleet-log.db"), LiteDbFleetStore.LogPath(Path.Combine("/data", "fleet.db")));
    }
}
