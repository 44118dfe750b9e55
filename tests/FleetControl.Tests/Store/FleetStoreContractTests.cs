using EdgeGateway.Contracts.V1;
using FleetControl.Store;
using FleetControl.Tests.Infrastructure;
using Google.Protobuf.WellKnownTypes;

namespace FleetControl.Tests.Store;

/// <summary>
/// What every <see cref="IFleetStore"/> must do, run against each backend by a subclass
/// (<see cref="LiteDbFleetStoreTests"/>, <see cref="PostgreSqlFleetStoreTests"/>).
/// </summary>
public abstract class FleetStoreContractTests : IAsyncLifetime
{
    private protected static readonly DateTimeOffset Now = new(2026, 11, 23, 18, 0, 0, TimeSpan.Zero);

    private IFleetStore? _store;

    private protected IFleetStore Store => _store ?? throw new InvalidOperationException("not initialised");

    private protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A new, empty store.</summary>
    private protected abstract Task<IFleetStore> CreateStoreAsync();

    /// <summary>Closes <paramref name="store"/> and opens the same data again (a restart, or another instance).</summary>
    private protected abstract Task<IFleetStore> ReopenAsync(IFleetStore store);

    public async ValueTask InitializeAsync() => _store = await CreateStoreAsync();

    public virtual ValueTask DisposeAsync()
    {
        (_store as IDisposable)?.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task StoreEnvelopes_SameIdsTwice_SecondIsNoOp()
    {
        var a = TestEnvelopes.Position("car-1", 1);
        var b = TestEnvelopes.Position("car-1", 2);

        var first = await Store.StoreEnvelopesAsync([a, b], Now, Ct);
        var second = await Store.StoreEnvelopesAsync([b, a], Now, Ct);

        Assert.Equal(new StoreBatchResult(2, 0), first);
        Assert.Equal(new StoreBatchResult(0, 2), second);
        Assert.Equal(2, await Store.CountEnvelopesAsync(Ct));
        var device = await Store.GetDeviceAsync("car-1", Ct);
        Assert.Equal(2, device!.EnvelopeCount);
        Assert.Equal(2, device.PositionCount);
        Assert.Equal(2, (await Store.GetPositionsAsync("car-1", 10, Ct)).Count);
    }

    [Fact]
    public async Task StoreEnvelopes_RepeatedIdWithinOneBatch_StoredOnce()
    {
        var a = TestEnvelopes.Position("car-1", 1);

        var result = await Store.StoreEnvelopesAsync([a, a.Clone()], Now, Ct);

        Assert.Equal(new StoreBatchResult(1, 1), result);
        Assert.Equal(1, await Store.CountEnvelopesAsync(Ct));
    }

    [Fact]
    public async Task StoreEnvelopes_PartlyKnownBatch_OnlyNewOnesCounted()
    {
        var known = TestEnvelopes.Event("car-5", 1);
        await Store.StoreEnvelopesAsync([known], Now, Ct);

        var result = await Store.StoreEnvelopesAsync([TestEnvelopes.Event("car-5", 2), known, TestEnvelopes.DataLoss("car-5", 3)], Now, Ct);

        Assert.Equal(new StoreBatchResult(2, 1), result);
        Assert.Equal(3, (await Store.GetDeviceAsync("car-5", Ct))!.EnvelopeCount);
        Assert.Equal(2, (await Store.GetEventsAsync("car-5", 10, Ct)).Count);
        Assert.Single(await Store.GetDataLossAsync("car-5", Ct));
    }

    [Fact]
    public async Task GetPositions_NewestFirstPerDeviceWithLimit()
    {
        await Store.StoreEnvelopesAsync(
            [TestEnvelopes.Position("car-1", 3), TestEnvelopes.Position("car-1", 1), TestEnvelopes.Position("car-10", 9), TestEnvelopes.Position("car-1", 2)],
            Now,
            Ct);

        var positions = await Store.GetPositionsAsync("car-1", 2, Ct);

        Assert.Equal([3UL, 2UL], positions.Select(p => p.Sequence));
        Assert.All(positions, p => Assert.Equal("car-1", p.DeviceId));
        var last = (await Store.GetDeviceAsync("car-1", Ct))!.LastPosition!;
        Assert.Equal(3UL, last.Sequence);
        Assert.Equal(TestEnvelopes.BaseTime.AddSeconds(3), last.Time);
        Assert.Equal(12.5, last.Speed);
    }

    [Fact]
    public async Task GetPositionsInWindow_PagesOldestFirstWithinTheWindow()
    {
        var all = Enumerable.Range(1, 9).Select(i => TestEnvelopes.Position("car-7", (ulong)i)).ToList();
        await Store.StoreEnvelopesAsync(all, Now, Ct);
        var from = TestEnvelopes.BaseTime.AddSeconds(2);
        var to = TestEnvelopes.BaseTime.AddSeconds(8); // exclusive

        var seen = new List<ulong>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await Store.GetPositionsInWindowAsync("car-7", from, to, cursor, 4, Ct);
            seen.AddRange(page.Positions.Select(p => p.Sequence));
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null && pages < 10);

        Assert.Equal([2UL, 3UL, 4UL, 5UL, 6UL, 7UL], seen);
        Assert.Equal(2, pages);
        Assert.Equal(51.5, (await Store.GetPositionsInWindowAsync("car-7", null, null, null, 1, Ct)).Positions[0].Latitude);
    }

    [Fact]
    public async Task GetHealthHistory_WindowNewestLimitOldestFirst()
    {
        await Store.StoreEnvelopesAsync(
            [.. Enumerable.Range(1, 6).Select(i => TestEnvelopes.Health("dock-3", (ulong)i, $"1.0.{i}"))],
            Now,
            Ct);

        var samples = await Store.GetHealthHistoryAsync("dock-3", TestEnvelopes.BaseTime.AddSeconds(2), TestEnvelopes.BaseTime.AddSeconds(5), 3, Ct);

        Assert.Equal(["1.0.3", "1.0.4", "1.0.5"], samples.Select(s => s.Report.SoftwareVersion));
        Assert.Equal(TestEnvelopes.BaseTime.AddSeconds(5), samples[^1].CapturedAt);
        Assert.Equal("1.0.6", (await Store.GetDeviceAsync("dock-3", Ct))!.Health!.SoftwareVersion);
    }

    [Fact]
    public async Task GetEvents_NewestFirstWithAttributes()
    {
        await Store.StoreEnvelopesAsync([TestEnvelopes.Event("car-4", 1, "a"), TestEnvelopes.Event("car-4", 3, "c"), TestEnvelopes.Event("car-4", 2, "b")], Now, Ct);

        var events = await Store.GetEventsAsync("car-4", 2, Ct);

        Assert.Equal(["c", "b"], events.Select(e => e.Type));
        Assert.Equal("front", events[0].Attributes["camera"]);
        Assert.Equal("camera", events[0].Stream);
    }

    [Fact]
    public async Task UpdateStatus_UnknownDevice_CreatesItAndLastSeenNeverMovesBack()
    {
        await Store.UpdateStatusAsync("car-2", new DeviceStatus { Online = true, At = Timestamp.FromDateTimeOffset(Now) }, Now, Ct);
        await Store.UpdateStatusAsync("car-2", new DeviceStatus { Online = false, At = Timestamp.FromDateTimeOffset(Now.AddHours(-1)) }, Now, Ct);

        var devices = await Store.GetDevicesAsync(Ct);

        var device = Assert.Single(devices);
        Assert.False(device.Online);
        Assert.Equal(Now, device.LastSeen);
    }

    [Fact]
    public async Task Register_ThenEnvelopes_KeepsRegistrationAndCounts()
    {
        await Store.RegisterDeviceAsync(new DeviceRegistration("dock-1", "Dock", "1.0.0", "host-a", ["bwv-dock"], Now), Ct);
        await Store.StoreEnvelopesAsync([TestEnvelopes.Health("dock-1", 1, "1.0.1"), TestEnvelopes.Dock("dock-1", 2)], Now.AddMinutes(1), Ct);

        var device = await Store.GetDeviceAsync("dock-1", Ct);

        Assert.Equal("Dock", device!.Role);
        Assert.Equal(Now, device.RegisteredAt);
        Assert.Equal(Now.AddMinutes(1), device.LastSeen);
        Assert.Equal("1.0.1", device.Health!.SoftwareVersion);
        Assert.Equal("BWV-0001", device.Dock!.Bays[0].CameraSerial);
        Assert.Equal(2, device.EnvelopeCount);
        Assert.Equal(["bwv-dock"], device.Capabilities);
    }

    [Fact]
    public async Task GetDevices_OrderedByIdOrdinal_AndCounted()
    {
        await Store.StoreEnvelopesAsync([TestEnvelopes.Event("car-b", 1), TestEnvelopes.Event("Car-c", 1), TestEnvelopes.Event("car-a", 1)], Now, Ct);

        var devices = await Store.GetDevicesAsync(Ct);

        Assert.Equal(["Car-c", "car-a", "car-b"], devices.Select(d => d.DeviceId));
        Assert.Equal(3, await Store.CountDevicesAsync(Ct));
        Assert.Null(await Store.GetDeviceAsync("car-z", Ct));
    }

    [Fact]
    public async Task Reopen_SameData_DataStillThereAndIdsStillKnown()
    {
        var a = TestEnvelopes.Position("car-3", 1);
        await Store.StoreEnvelopesAsync([a], Now, Ct);

        var reopened = await ReopenAsync(Store);
        try
        {
            var result = await reopened.StoreEnvelopesAsync([a], Now, Ct);

            Assert.Equal(new StoreBatchResult(0, 1), result);
            Assert.Single(await reopened.GetPositionsAsync("car-3", 10, Ct));
        }
        finally
        {
            (reopened as IDisposable)?.Dispose();
        }
    }
}
